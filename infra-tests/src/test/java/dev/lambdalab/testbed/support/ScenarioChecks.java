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
        long roleLimitOrPoolTimeout = result.errors().getOrDefault("ROLE_CONNECTION_LIMIT", 0L)
                + result.errors().getOrDefault("POOL_TIMEOUT", 0L);
        assertThat(roleLimitOrPoolTimeout).as("errors classified as role limit or pool timeout; all: %s", result.errors())
                .isPositive();
        assertThat(result.peakDbConnections()).as("peak connections of role app").isEqualTo(roleLimit);
        assertThat(result.verdict()).as("verdict of %s", result.name()).isEqualTo(Verdict.AS_EXPECTED);
    }

    /** fixed/direct within the limit: no errors, one connection and one backend per caller at most. */
    public static void fixedWithinLimitHolds(ScenarioResult result, int callers) {
        assertThat(result.errors()).as("errors").isEmpty();
        assertThat(result.ok()).isEqualTo(result.requests());
        assertThat(result.peakDbConnections()).as("peak connections").isLessThanOrEqualTo(callers);
        assertThat(result.distinctBackendPids()).as("backends that served").isLessThanOrEqualTo(callers);
        assertThat(result.environments()).isLessThanOrEqualTo(callers);
    }

    /** fixed/direct above the limit: pool timeouts caused by the role limit. */
    public static void fixedOverLimitFails(ScenarioResult result, int roleLimit) {
        assertThat(result.errorDetails()).as("errors with their cause").containsKey("POOL_TIMEOUT (ROLE_CONNECTION_LIMIT)");
        assertThat(result.peakDbConnections()).isEqualTo(roleLimit);
        assertThat(result.environments()).as("more environments than slots").isGreaterThan(roleLimit);
    }

    /** Reserved concurrency at the limit: throttles instead of database errors. */
    public static void reservedConcurrencyThrottles(ScenarioResult result, int roleLimit) {
        assertThat(result.throttled()).as("429s").isPositive();
        assertThat(result.errors()).as("database errors").isEmpty();
        assertThat(result.environments()).isLessThanOrEqualTo(roleLimit);
        assertThat(result.peakDbConnections()).isLessThanOrEqualTo(roleLimit);
    }

    /** fixed/proxy far above the limit: no errors, the database within the proxy's maximum. */
    public static void fixedProxyHolds(ScenarioResult result) {
        assertThat(result.errors()).as("errors").isEmpty();
        assertThat(result.ok()).isEqualTo(result.requests());
        assertThat(result.peakDbConnections()).as("database connections, the proxy's maximum being %d",
                result.proxyDatabaseConnections()).isLessThanOrEqualTo(result.proxyDatabaseConnections());
        assertThat(result.peakClientConnections()).as("client connections: one per environment")
                .isLessThanOrEqualTo((int) result.environments());
        assertThat(result.distinctBackendPids()).isLessThanOrEqualTo(result.proxyDatabaseConnections());
    }

    /** broken/proxy: the proxy's client side fills up, the database stays within the proxy's maximum. */
    public static void brokenProxyFillsTheClientSide(ScenarioResult result, int maxClientConnections) {
        assertThat(result.errors()).as("errors").containsKey("PROXY_CLIENT_LIMIT");
        assertThat(result.peakClientConnections()).as("client connections reach max_client_conn")
                .isGreaterThanOrEqualTo(maxClientConnections - 2);
        assertThat(result.peakDbConnections()).isLessThanOrEqualTo(result.proxyDatabaseConnections());
    }
}
