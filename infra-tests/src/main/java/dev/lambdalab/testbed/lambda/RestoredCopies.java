package dev.lambdalab.testbed.lambda;

import java.time.Duration;
import java.util.List;

/**
 * The copies of a SnapStart snapshot alive now, as {@link EmulatedFunction#restoredCopies()} lists them.
 *
 * @param snapshotPid the pid of the snapshotted JVM, which each copy has inside its own PID namespace
 * @param hostPids the copies' JVMs as this machine sees them
 * @param imageBytes the snapshot's size on disk
 * @param dumpDuration how long CRIU took to dump it
 */
public record RestoredCopies(long snapshotPid, List<Long> hostPids, long imageBytes, Duration dumpDuration) {

    public RestoredCopies {
        hostPids = List.copyOf(hostPids);
    }
}
