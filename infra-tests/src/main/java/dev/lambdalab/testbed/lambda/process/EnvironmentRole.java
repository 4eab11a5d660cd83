package dev.lambdalab.testbed.lambda.process;

/** What part a process environment ({@link ProcessSandbox}) plays: in SnapStart, or on Managed Instances. */
public enum EnvironmentRole {
    /** No SnapStart: init on demand, at the cold start. */
    ON_DEMAND,
    /** Init in snap-start mode; once its beforeCheckpoint hooks ran, it is snapshotted (the {@code snapstart} package's {@code Snapshot}). */
    SNAPSHOT_SOURCE,
    /** Restored from a snapshot by CRIU; its restore ends when its afterRestore hooks ran. */
    RESTORED_COPY,
    /** Init in snap-start mode and its restore answered at once: the hooks run, nothing is snapshotted. */
    HOOKS_ONLY,
    /**
     * Lambda Managed Instances: started when the version is published or the fleet scales, never frozen, its
     * runtime client running AWS_LAMBDA_MAX_CONCURRENCY threads that poll for events at once.
     */
    MANAGED_INSTANCE;

    /** Whether the environment is stopped between invocations: on classic Lambda, never on Managed Instances. */
    boolean freezesWhenIdle() {
        return this != MANAGED_INSTANCE;
    }
}
