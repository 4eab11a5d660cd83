package dev.lambdalab.testbed.lambda;

/** What part a process environment ({@link ProcessSandbox}) plays in SnapStart. */
enum EnvironmentRole {
    /** No SnapStart: init on demand, at the cold start. */
    ON_DEMAND,
    /** Init in snap-start mode; once its beforeCheckpoint hooks ran, it is snapshotted ({@link Snapshot}). */
    SNAPSHOT_SOURCE,
    /** Restored from a snapshot by CRIU; its restore ends when its afterRestore hooks ran. */
    RESTORED_COPY,
    /** Init in snap-start mode and its restore answered at once: the hooks run, nothing is snapshotted. */
    HOOKS_ONLY
}
