package dev.lambdalab.testbed.app;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How {@code testbed invoke} and {@code serve -t} run a user's template: what the command line gave beyond the
 * template itself. Built with {@link Builder}, which checks each value.
 *
 * @param envVars {@code -n}: SAM's env.json, when given
 * @param proxy whether functions that point at the RDS Proxy get the proxy emulator ({@code --proxy none}: they go
 *     straight to the database)
 * @param initSql {@code --init-sql}: a script run on the database as the application role before the functions start
 * @param roleLimit the application role's CONNECTION LIMIT; default: the template's max_connections less what
 *     RDS reserves, else 100
 * @param accountConcurrency the account's concurrency available to unreserved functions (Lambda's default 1000)
 * @param region AWS_REGION of the functions
 * @param timeout every function's Timeout instead of the template's, when given: on a machine of few cores, dozens of
 *     JVMs starting at once stretch a first request past a timeout that AWS, where each environment has CPU of its
 *     own, would not reach
 */
public record AppOptions(Optional<Path> envVars, boolean proxy, Optional<Path> initSql, OptionalInt roleLimit,
        int accountConcurrency, String region, Optional<Duration> timeout) {

    public static Builder builder() {
        return new Builder();
    }

    /** The options' builder. */
    public static final class Builder {
        private Path envVars;
        private boolean proxy = true;
        private Path initSql;
        private Integer roleLimit;
        private int accountConcurrency = 1000;
        private String region = "us-east-1";
        private Duration timeout;

        public Builder envVars(Path file) {
            this.envVars = file;
            return this;
        }

        public Builder proxy(boolean proxy) {
            this.proxy = proxy;
            return this;
        }

        public Builder initSql(Path file) {
            this.initSql = file;
            return this;
        }

        /** From 2 to 10000. */
        public Builder roleLimit(Integer limit) {
            if (limit != null && (limit < 2 || limit > 10_000)) {
                throw new IllegalArgumentException("--role-limit must be from 2 to 10000, got " + limit);
            }
            this.roleLimit = limit;
            return this;
        }

        /** From 1 to 100000. */
        public Builder accountConcurrency(int concurrency) {
            if (concurrency < 1 || concurrency > 100_000) {
                throw new IllegalArgumentException("--account-concurrency must be from 1 to 100000, got " + concurrency);
            }
            this.accountConcurrency = concurrency;
            return this;
        }

        public Builder region(String region) {
            this.region = Objects.requireNonNull(region, "region");
            if (!region.matches("[a-z]{2}(-[a-z]+)+-\\d")) {
                throw new IllegalArgumentException("--region must be an AWS region such as us-east-1, got \"" + region
                        + "\"");
            }
            return this;
        }

        /** From 1 to 900 seconds, as Lambda allows; null keeps the template's. */
        public Builder timeoutSeconds(Integer seconds) {
            if (seconds != null && (seconds < 1 || seconds > 900)) {
                throw new IllegalArgumentException("--timeout-s must be from 1 to 900, got " + seconds);
            }
            this.timeout = seconds == null ? null : Duration.ofSeconds(seconds);
            return this;
        }

        public AppOptions build() {
            return new AppOptions(Optional.ofNullable(envVars), proxy, Optional.ofNullable(initSql),
                    roleLimit == null ? OptionalInt.empty() : OptionalInt.of(roleLimit), accountConcurrency, region,
                    Optional.ofNullable(timeout));
        }
    }
}
