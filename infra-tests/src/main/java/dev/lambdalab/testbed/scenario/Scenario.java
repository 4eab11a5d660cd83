package dev.lambdalab.testbed.scenario;

import dev.lambdalab.testbed.ExecutionModel;
import dev.lambdalab.testbed.Target;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.lambda.ManagedInstances;
import dev.lambdalab.testbed.lambda.SnapStart;
import dev.lambdalab.testbed.load.Load;
import dev.lambdalab.testbed.proxy.ProxySettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One experiment: a variant against a target under a load, with the limits that matter.
 *
 * @param name short name, used in reports
 * @param description one sentence for the reader of the report
 * @param variant which handler (broken, fixed, fixed under SnapStart, or AWS's Managed Instances example)
 * @param target direct or through the proxy
 * @param load the load shape
 * @param roleConnectionLimit the application role's CONNECTION LIMIT
 * @param reservedConcurrency the function's reserved concurrency, or {@code null} for none
 * @param proxy the proxy's settings (used when {@code target} is PROXY)
 * @param functionTimeout the function timeout, or {@code null} for the function's own (template.yaml's with
 *     {@code --template}, else 15 s)
 * @param settings extra environment variables for the function (shared-db settings such as POOL_TIMEOUT_MS)
 * @param expected whether the scenario is meant to hold or to fail
 * @param showsPinning whether it shows RDS Proxy's pinning, which PgBouncer does not do: it runs behind the
 *     RDS Proxy emulator only
 * @param snapStart whether the function runs with SnapStart, and how ({@link SnapStart#OFF} for none)
 * @param managedInstances the function's fleet on Lambda Managed Instances, or {@code null} for classic Lambda
 * @param iamAuthentication whether the function logs in to the proxy with RDS IAM tokens ({@code DB_AUTH=iam}) over
 *     TLS; the RDS Proxy emulator only
 */
public record Scenario(String name, String description, Variant variant, Target target, Load load,
        int roleConnectionLimit, Integer reservedConcurrency, ProxySettings proxy, Duration functionTimeout,
        Map<String, String> settings, Expectation expected, boolean showsPinning, SnapStart snapStart,
        ManagedInstances managedInstances, boolean iamAuthentication) {

    /** What a scenario is meant to show. */
    public enum Expectation {
        /** No errors (throttles allowed): the setup holds. */
        HOLDS,
        /** Errors: the setup breaks under this load. */
        FAILS
    }

    public Scenario {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(load, "load");
        Objects.requireNonNull(proxy, "proxy");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(snapStart, "snapStart");
        settings = Map.copyOf(settings);
        if (roleConnectionLimit < 1) {
            throw new IllegalArgumentException("roleConnectionLimit must be at least 1, got " + roleConnectionLimit);
        }
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Classic Lambda, or Managed Instances when the scenario has a fleet. */
    public ExecutionModel executionModel() {
        return managedInstances == null ? ExecutionModel.CLASSIC : ExecutionModel.MANAGED_INSTANCES;
    }

    /** Fluent construction with the test bed's defaults. */
    public static final class Builder {
        private final String name;
        private String description = "";
        private Variant variant = Variant.FIXED;
        private Target target = Target.DIRECT;
        private Load load = Load.closedLoop(1, 1, 0);
        private int roleConnectionLimit = 10;
        private Integer reservedConcurrency;
        private ProxySettings proxy = ProxySettings.DEFAULTS;
        private Duration functionTimeout;
        private final Map<String, String> settings = new LinkedHashMap<>();
        private Expectation expected = Expectation.HOLDS;
        private boolean showsPinning;
        private SnapStart snapStart = SnapStart.OFF;
        private ManagedInstances managedInstances;
        private boolean iamAuthentication;

        private Builder(String name) {
            this.name = name;
        }

        public Builder description(String description) {
            this.description = description;
            return this;
        }

        public Builder variant(Variant variant) {
            this.variant = variant;
            return this;
        }

        public Builder target(Target target) {
            this.target = target;
            return this;
        }

        public Builder load(Load load) {
            this.load = load;
            return this;
        }

        public Builder roleConnectionLimit(int limit) {
            this.roleConnectionLimit = limit;
            return this;
        }

        public Builder reservedConcurrency(Integer reserved) {
            this.reservedConcurrency = reserved;
            return this;
        }

        public Builder proxy(ProxySettings proxy) {
            this.proxy = proxy;
            return this;
        }

        public Builder functionTimeout(Duration timeout) {
            this.functionTimeout = timeout;
            return this;
        }

        public Builder setting(String variable, String value) {
            settings.put(variable, value);
            return this;
        }

        public Builder expect(Expectation expected) {
            this.expected = expected;
            return this;
        }

        /** Marks a scenario that needs RDS Proxy's pinning (skipped behind PgBouncer). */
        public Builder showsPinning() {
            this.showsPinning = true;
            return this;
        }

        /** Runs the function with SnapStart (process isolation only). */
        public Builder snapStart(SnapStart mode) {
            this.snapStart = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Runs the function on Lambda Managed Instances with this fleet. */
        public Builder managedInstances(ManagedInstances fleet) {
            this.managedInstances = Objects.requireNonNull(fleet, "fleet");
            return this;
        }

        /** Logs in to the proxy with RDS IAM tokens over TLS (behind the RDS Proxy emulator only). */
        public Builder iamAuthentication() {
            this.iamAuthentication = true;
            return this;
        }

        public Scenario build() {
            return new Scenario(name, description, variant, target, load, roleConnectionLimit, reservedConcurrency,
                    proxy, functionTimeout, settings, expected, showsPinning, snapStart, managedInstances,
                    iamAuthentication);
        }
    }
}
