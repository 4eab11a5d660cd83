package dev.lambdalab.testbed.scenario;

import dev.lambdalab.testbed.Target;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.load.Load;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.scenario.Scenario.Expectation;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The side-by-side matrix of {@code testbed reproduce}: the broken handler failing, the fixed one holding
 * within the limit, failing above it, throttling with reserved concurrency, holding far above it behind
 * the proxy, and the broken one filling the proxy's client side.
 *
 * @param roleConnectionLimit the application role's CONNECTION LIMIT (L)
 * @param concurrency callers for the "above the limit" scenarios (default 2 x L)
 * @param proxyConcurrency callers for the fixed function behind the proxy (default 5 x L)
 * @param requests requests per scenario
 * @param holdMillis how long each request holds its connection
 * @param proxy the proxy's settings
 * @param variants which variants to run
 * @param targets which targets to run
 */
public record StandardScenarios(int roleConnectionLimit, int concurrency, int proxyConcurrency, int requests,
        int holdMillis, ProxySettings proxy, Set<Variant> variants, Set<Target> targets) {

    /**
     * The fixed pool's timeout where pool timeouts are the expected outcome (fixed-direct-over-limit):
     * short, so that each costs the run little. Elsewhere the default (3 s) applies: behind the proxy, 50
     * simultaneous cold starts each doing a SCRAM login on 2 cores can take over a second.
     */
    public static final String POOL_TIMEOUT_MS = "1000";
    /** Must stay below POOL_TIMEOUT_MS (shared-db checks it). */
    public static final String POOL_VALIDATION_TIMEOUT_MS = "500";
    /**
     * The pgjdbc property of fixed-proxy-pinned: an assumed server version below 9.0, which is how pgjdbc
     * behaves by default, so it sends {@code SET extra_float_digits} and {@code SET application_name} after
     * every login (ConnectionSpec sets 9.0 to avoid exactly this).
     */
    public static final String PGJDBC_DEFAULT_STARTUP = "assumeMinServerVersion=8.4";

    public StandardScenarios {
        Objects.requireNonNull(proxy, "proxy");
        variants = Set.copyOf(variants);
        targets = Set.copyOf(targets);
        if (roleConnectionLimit < 2 || roleConnectionLimit > 1000) {
            throw new IllegalArgumentException("role connection limit must be from 2 to 1000, got " + roleConnectionLimit);
        }
        if (concurrency <= roleConnectionLimit) {
            throw new IllegalArgumentException("concurrency must be above the role's connection limit ("
                    + roleConnectionLimit + ") to show the exhaustion, got " + concurrency);
        }
        if (proxyConcurrency < 1 || requests < 1 || concurrency > 5000 || proxyConcurrency > 5000) {
            throw new IllegalArgumentException("concurrency must be from 1 to 5000 and requests at least 1");
        }
    }

    /** The defaults of {@code testbed reproduce}. */
    public static StandardScenarios defaults() {
        return new StandardScenarios(10, 20, 50, 150, 50, ProxySettings.DEFAULTS, Set.of(Variant.values()),
                Set.of(Target.values()));
    }

    public List<Scenario> scenarios() {
        int limit = roleConnectionLimit;
        int within = Math.max(1, limit * 8 / 10);
        List<Scenario> all = List.of(
                base("broken-direct", Variant.BROKEN, Target.DIRECT, concurrency, Expectation.FAILS)
                        .description("A new HikariCP pool (10 connections) per invocation, straight to the database:"
                                + " the role's limit is used up and requests fail.")
                        .build(),
                base("fixed-direct-within-limit", Variant.FIXED, Target.DIRECT, within, Expectation.HOLDS)
                        .description("One static pool of size 1 per environment, " + within
                                + " callers for a limit of " + limit + ": at most one connection per environment, all fit.")
                        .build(),
                base("fixed-direct-over-limit", Variant.FIXED, Target.DIRECT, concurrency, Expectation.FAILS)
                        .setting("POOL_TIMEOUT_MS", POOL_TIMEOUT_MS)
                        .setting("POOL_VALIDATION_TIMEOUT_MS", POOL_VALIDATION_TIMEOUT_MS)
                        .description("The same fixed function with " + concurrency + " callers for a limit of " + limit
                                + ": more environments than slots, so some pools never get a connection. Size 1"
                                + " alone is not enough.")
                        .build(),
                base("fixed-direct-reserved-concurrency", Variant.FIXED, Target.DIRECT, concurrency, Expectation.HOLDS)
                        .reservedConcurrency(limit)
                        .description("The same load with reserved concurrency = " + limit
                                + ": Lambda throttles the excess (429) instead of letting the database fail.")
                        .build(),
                base("fixed-proxy", Variant.FIXED, Target.PROXY, proxyConcurrency, Expectation.HOLDS)
                        .description(proxyConcurrency + " callers behind the proxy: it multiplexes the environments'"
                                + " connections onto " + proxy.databaseConnections(limit) + " database connections.")
                        .build(),
                base("fixed-proxy-pinned", Variant.FIXED, Target.PROXY, proxyConcurrency, Expectation.FAILS)
                        .setting("DB_JDBC_PARAMS", PGJDBC_DEFAULT_STARTUP)
                        .showsPinning()
                        .description("The same fixed function behind RDS Proxy, but with pgjdbc's default startup: it"
                                + " sends SET after each login, which pins the session. The first "
                                + proxy.databaseConnections(limit) + " environments keep a database connection each;"
                                + " the rest wait for one until the borrow timeout.")
                        .build(),
                base("fixed-proxy-iam", Variant.FIXED, Target.PROXY, concurrency, Expectation.HOLDS)
                        .description("The fixed function logging in to the proxy with RDS IAM tokens (DB_AUTH=iam), over"
                                + " TLS, as template.yaml's FixedFunctionAuth=iam deploys it: a token signed per"
                                + " connection, checked by the proxy, which logs in to the database with its secret.")
                        .iamAuthentication()
                        .build(),
                base("broken-proxy", Variant.BROKEN, Target.PROXY, concurrency, Expectation.FAILS)
                        .description("The broken function behind the proxy: the database is protected, but every"
                                + " leaked pool holds 10 client connections until the proxy's client side is full.")
                        .build());
        List<Scenario> selected = new ArrayList<>();
        for (Scenario scenario : all) {
            if (variants.contains(scenario.variant()) && targets.contains(scenario.target())) {
                selected.add(scenario);
            }
        }
        return selected;
    }

    private Scenario.Builder base(String name, Variant variant, Target target, int callers, Expectation expected) {
        return Scenario.builder(name)
                .variant(variant)
                .target(target)
                .load(Load.closedLoop(callers, requests, holdMillis))
                .roleConnectionLimit(roleConnectionLimit)
                .proxy(proxy)
                .expect(expected);
    }
}
