package dev.lambdalab.testbed.lambda.process;

import java.io.IOException;

/**
 * Where a restored copy comes from, seen from the copy: a SnapStart snapshot (the {@code snapstart} package's
 * {@code Snapshot}). An interface here, so that the process isolation knows nothing of CRIU and the snapshot package
 * sits above it.
 */
public interface RestoreSource {

    /** The JVM the snapshot was taken of, which every copy is. */
    EnvironmentJvm jvm();

    /** The port of the snapshot's Runtime API, which every copy keeps talking to. */
    int apiPort();

    /**
     * Restores {@code copy}'s process from the snapshot.
     *
     * @return the process the restore runs as, whose descendants include the copy's JVM
     * @throws IOException when the restore could not start
     */
    Process restore(ProcessSandbox copy) throws IOException;

    /** The copy is gone: its Runtime API route and its restore files are no longer needed. */
    void forget(ProcessSandbox copy);
}
