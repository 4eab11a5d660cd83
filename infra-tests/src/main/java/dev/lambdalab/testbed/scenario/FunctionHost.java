package dev.lambdalab.testbed.scenario;

import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.lambda.Invocation;
import dev.lambdalab.testbed.proxy.Proxy;
import java.util.Map;

/**
 * Where a scenario's function runs: the emulator in this JVM (the default), or a real Lambda runtime such
 * as LocalStack's (the Docker tier). Scenarios, the load driver, the sampler and the results are the same
 * for every host; only deploying and invoking differ.
 */
public interface FunctionHost {

    /**
     * Deploys one variant, configured for the scenario (timeout, reserved concurrency, settings), pointed at
     * the proxy or, when {@code proxy} is {@code null}, at the database.
     */
    Deployment deploy(Variant variant, Scenario scenario, Proxy proxy);

    /** A deployed function. */
    interface Deployment extends AutoCloseable {

        /** A synchronous invocation with an API Gateway HTTP API event. */
        Invocation invoke(Object event);

        /**
         * Environments created, when the host knows (the emulator does); otherwise {@code -1} and the results
         * count the distinct environment ids the answers named.
         */
        long environmentsCreated();

        /** How the host isolates environments: {@code classloader}, {@code process}, {@code lambda}. */
        default String isolation() {
            return "lambda";
        }

        /** Connections held now by environments that are frozen (0 when the host cannot tell). */
        default int connectionsHeldByFrozenEnvironments() {
            return 0;
        }

        /** HikariCP clock-leap warnings the functions logged so far (0 when the host cannot tell). */
        default long clockLeapWarnings() {
            return 0;
        }

        /** The most invocations one environment ran at once (1 on classic Lambda), or -1 when the host cannot tell. */
        default int peakInFlightPerEnvironment() {
            return -1;
        }

        /**
         * Environments whose init failed, by the cause their error names ({@code ROLE_CONNECTION_LIMIT}...). On
         * Managed Instances no caller waits for an init, so these are the only trace of it; empty when none.
         */
        default Map<String, Long> failedInitsByCause() {
            return Map.of();
        }

        /** Init and Restore Durations of a SnapStart function, one line; empty without SnapStart. */
        default String snapStartSummary() {
            return "";
        }

        /** Removes the function; its environments end. */
        @Override
        void close();
    }
}
