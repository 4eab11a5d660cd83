package dev.lambdalab.testbed.lambda;

import dev.lambdalab.testbed.lambda.classloader.SandboxSocketFactory;

/**
 * A snapshot of one execution environment, as {@link EmulatedFunction#environments()} lists them.
 *
 * @param id its id (the log stream's, and ExecutionEnvironment.id() inside it)
 * @param state NEW, IDLE, BUSY or DEAD
 * @param deathReason for DEAD: timed out, reclaimed, init failed, destroyed
 * @param invocations how many invocations it ran
 * @param openSockets database connections it holds (with {@link SandboxSocketFactory}, or the process's own)
 * @param frozen whether its process is stopped now (process isolation only)
 * @param processId its process's id (process isolation), else -1
 * @param inFlight invocations running in it now (at most 1 on classic Lambda)
 * @param peakInFlight the most invocations it ran at once
 */
public record EnvironmentInfo(String id, String state, String deathReason, int invocations, int openSockets,
        boolean frozen, long processId, int inFlight, int peakInFlight) {
}
