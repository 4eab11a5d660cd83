package dev.lambdalab.testbed.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdalab.testbed.scenario.ScenarioResult;
import dev.lambdalab.testbed.scenario.Verdict;

/**
 * What each standard scenario must show, in one place: the emulator tier (ReproductionIT), the container
 * providers and the LocalStack tier assert the same numbers.
 */
public final class ScenarioChecks {

    private ScenarioChecks() {
    }

    /** broken/direct at twice the limit: role-limit (or pool-timeout) errors, and every slot taken. */
    public static void brokenDirectFails(ScenarioResult result, int roleLimit) {
        long roleLimitOrPoolTimeout = result.answers().errors().getOrDefault("ROLE_CONNECTION_LIMIT", 0L)
                + result.answers().errors().getOrDefault("POOL_TIMEOUT", 0L);
        assertThat(roleLimitOrPoolTimeout).as("errors classified as role limit or pool timeout; all: %s", result.answers().errors())
                .isPositive();
        assertThat(result.connections().peakDbConnections()).as("peak connections of role app").isEqualTo(roleLimit);
        assertThat(result.outcome().verdict()).as("verdict of %s", result.name()).isEqualTo(Verdict.AS_EXPECTED);
    }

    /** fixed/direct within the limit: no errors, one connection and one backend per caller at most. */
    public static void fixedWithinLimitHolds(ScenarioResult result, int callers) {
        assertThat(result.answers().errors()).as("errors").isEmpty();
        assertThat(result.answers().ok()).isEqualTo(result.setup().requests());
        assertThat(result.connections().peakDbConnections()).as("peak connections").isLessThanOrEqualTo(callers);
        assertThat(result.environments().distinctBackendPids()).as("backends that served").isLessThanOrEqualTo(callers);
        assertThat(result.environments().created()).isLessThanOrEqualTo(callers);
    }

    /** fixed/direct above the limit: pool timeouts caused by the role limit. */
    public static void fixedOverLimitFails(ScenarioResult result, int roleLimit) {
        assertThat(result.answers().errorDetails()).as("errors with their cause").containsKey("POOL_TIMEOUT (ROLE_CONNECTION_LIMIT)");
        assertThat(result.connections().peakDbConnections()).isEqualTo(roleLimit);
        assertThat(result.environments().created()).as("more environments than slots").isGreaterThan(roleLimit);
    }

    /** Reserved concurrency at the limit: throttles instead of database errors. */
    public static void reservedConcurrencyThrottles(ScenarioResult result, int roleLimit) {
        assertThat(result.answers().throttled()).as("429s").isPositive();
        assertThat(result.answers().errors()).as("database errors").isEmpty();
        assertThat(result.environments().created()).isLessThanOrEqualTo(roleLimit);
        assertThat(result.connections().peakDbConnections()).isLessThanOrEqualTo(roleLimit);
    }

    /** fixed/proxy far above the limit: no errors, the database within the proxy's maximum. */
    public static void fixedProxyHolds(ScenarioResult result) {
        assertThat(result.answers().errors()).as("errors").isEmpty();
        assertThat(result.answers().ok()).isEqualTo(result.setup().requests());
        assertThat(result.connections().peakDbConnections()).as("database connections, the proxy's maximum being %d",
                result.setup().proxyDatabaseConnections()).isLessThanOrEqualTo(result.setup().proxyDatabaseConnections());
        assertThat(result.connections().peakClientConnections()).as("client connections: one per environment")
                .isLessThanOrEqualTo((int) result.environments().created());
        assertThat(result.environments().distinctBackendPids()).isLessThanOrEqualTo(result.setup().proxyDatabaseConnections());
    }

    /** broken/proxy: the proxy's client side fills up, the database stays within the proxy's maximum. */
    public static void brokenProxyFillsTheClientSide(ScenarioResult result, int maxClientConnections) {
        assertThat(result.answers().errors()).as("errors").containsKey("PROXY_CLIENT_LIMIT");
        assertThat(result.connections().peakClientConnections()).as("client connections reach max_client_conn")
                .isGreaterThanOrEqualTo(maxClientConnections - 2);
        assertThat(result.connections().peakDbConnections()).isLessThanOrEqualTo(result.setup().proxyDatabaseConnections());
    }
}
