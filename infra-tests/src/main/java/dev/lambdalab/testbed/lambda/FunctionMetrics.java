package dev.lambdalab.testbed.lambda;

import dev.lambdalab.testbed.lambda.sandbox.Sandbox;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A function's counters at one moment, the numbers Lambda's own metrics would show.
 *
 * @param environmentsCreated environments ever created (cold starts plus failed inits)
 * @param coldStarts environments whose init succeeded
 * @param initErrors environments whose init failed
 * @param initFailures the failed inits' errors ({@code type: message}), counted, the first 20 distinct ones
 * @param invocations invocations that reached an environment (not throttled)
 * @param succeeded invocations whose handler returned
 * @param functionErrors invocations whose handler threw, by exception type
 * @param timeouts invocations that ran past the timeout
 * @param throttles invocations refused with 429
 * @param reclaimed idle environments reclaimed
 * @param peakConcurrency most invocations in flight at once (on classic Lambda: environments busy at once)
 * @param peakEnvironmentConcurrency most invocations one environment ran at once: 1 on classic Lambda, up to
 *     PerExecutionEnvironmentMaxConcurrency on Managed Instances
 * @param environmentsAlive environments not dead
 * @param environmentsIdle warm environments waiting for work
 * @param environmentsBusy environments running an invocation or their init
 * @param connectionsHeldByDeadEnvironments sockets still open in environments that timed out or were
 *     reclaimed (leaked, as in Lambda, until the server or proxy drops them)
 * @param environmentsFrozen idle environments whose process is stopped (process isolation only)
 * @param connectionsHeldByFrozenEnvironments sockets open in frozen environments: held although nothing in
 *     them runs (process isolation only)
 * @param initMillisP50 median init duration
 * @param initMillisMax longest init duration
 * @param invocationMillisMean mean duration of returned invocations
 * @param invocationMillisMax longest returned invocation
 */
public record FunctionMetrics(long environmentsCreated, long coldStarts, long initErrors,
        Map<String, Long> initFailures, long invocations,
        long succeeded, Map<String, Long> functionErrors, long timeouts, long throttles, long reclaimed,
        int peakConcurrency, int peakEnvironmentConcurrency, int environmentsAlive, int environmentsIdle, int environmentsBusy,
        int connectionsHeldByDeadEnvironments, int environmentsFrozen, int connectionsHeldByFrozenEnvironments,
        double initMillisP50, double initMillisMax,
        double invocationMillisMean, double invocationMillisMax) {

    /** Thread-safe accumulation; {@link #snapshot} makes the record. */
    static final class Recorder {
        private long environmentsCreated;
        private long coldStarts;
        private long initErrors;
        private final Map<String, Long> initFailures = new TreeMap<>();
        private long succeeded;
        private final Map<String, Long> functionErrors = new TreeMap<>();
        private long functionErrorCount;
        private long timeouts;
        private long throttles;
        private long reclaimed;
        private int peakConcurrency;
        private int peakEnvironmentConcurrency;
        private long[] initNanos = new long[64];
        private int initCount;
        private long invocationNanosTotal;
        private long invocationNanosMax;

        synchronized void environmentCreated() {
            environmentsCreated++;
        }

        synchronized void coldStart(Duration init) {
            coldStarts++;
            if (initCount == initNanos.length) {
                initNanos = Arrays.copyOf(initNanos, initCount * 2);
            }
            initNanos[initCount++] = init.toNanos();
        }

        synchronized void initError(String type, String message) {
            initErrors++;
            String failure = type + ": " + message;
            if (initFailures.size() < 20 || initFailures.containsKey(failure)) {
                initFailures.merge(failure, 1L, Long::sum);
            }
        }

        synchronized void succeeded(Duration duration) {
            succeeded++;
            record(duration);
        }

        synchronized void functionError(String type, Duration duration) {
            functionErrors.merge(type, 1L, Long::sum);
            functionErrorCount++;
            record(duration);
        }

        synchronized void timedOut() {
            timeouts++;
        }

        synchronized void throttled() {
            throttles++;
        }

        synchronized void reclaimed() {
            reclaimed++;
        }

        synchronized void concurrency(int inFlight) {
            peakConcurrency = Math.max(peakConcurrency, inFlight);
        }

        synchronized void environmentConcurrency(int inFlightInOneEnvironment) {
            peakEnvironmentConcurrency = Math.max(peakEnvironmentConcurrency, inFlightInOneEnvironment);
        }

        private void record(Duration duration) {
            long nanos = duration.toNanos();
            invocationNanosTotal += nanos;
            invocationNanosMax = Math.max(invocationNanosMax, nanos);
        }

        synchronized FunctionMetrics snapshot(Iterable<Sandbox> sandboxes, int idle, int busy) {
            int alive = 0;
            int leaked = 0;
            int frozen = 0;
            int heldByFrozen = 0;
            for (Sandbox sandbox : sandboxes) {
                if (sandbox.state() == Sandbox.State.DEAD) {
                    leaked += sandbox.openSockets();
                } else {
                    alive++;
                    if (sandbox.frozen()) {
                        frozen++;
                        heldByFrozen += sandbox.openSockets();
                    }
                }
            }
            long[] inits = Arrays.copyOf(initNanos, initCount);
            Arrays.sort(inits);
            long returned = succeeded + functionErrorCount;
            return new FunctionMetrics(environmentsCreated, coldStarts, initErrors, Map.copyOf(initFailures),
                    returned + timeouts, succeeded, Map.copyOf(functionErrors), timeouts, throttles, reclaimed,
                    peakConcurrency, peakEnvironmentConcurrency, alive, idle, busy, leaked, frozen, heldByFrozen,
                    inits.length == 0 ? 0 : inits[inits.length / 2] / 1e6,
                    inits.length == 0 ? 0 : inits[inits.length - 1] / 1e6,
                    returned == 0 ? 0 : invocationNanosTotal / 1e6 / returned,
                    invocationNanosMax / 1e6);
        }
    }
}
