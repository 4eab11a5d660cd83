package dev.lambdalab.testbed.scenario;

import dev.lambdalab.testbed.Target;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.lambda.ManagedInstances;
import dev.lambdalab.testbed.load.Load;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.scenario.Scenario.Expectation;
import dev.lambdalab.testbed.stack.PoolSizing;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The Managed Instances rows of {@code testbed reproduce}: the same handlers on Lambda's second execution model, where
 * one environment serves {@value #THREADS} requests at once on threads that share the pool, and the capacity
 * provider adds environments in the background. The classic rule, a pool of 1, becomes the bottleneck; the pool
 * must be sized for the environment's threads, within the proxy's budget.
 *
 * <p>Every row runs the same fleet: {@value #MIN_ENVIRONMENTS} environments at publish, growing to at most
 * {@value #MAX_ENVIRONMENTS} ({@code MaxExecutionEnvironments}), {@value #THREADS} threads each (the Java default for
 * one vCPU), the scaler deciding every second and allowed to double the fleet within 30 s (AWS's 5 minutes,
 * compressed), under {@value #CALLERS} callers: the fleet's capacity at publish, so it saturates and scales out. Each
 * request holds its connection {@value #HOLD_MS} ms, and the fixed handler's pool gives up after
 * {@value #POOL_TIMEOUT_MS} ms: 31 threads queued behind one connection wait about 3 s, behind the sized pool
 * about 0.4 s, so the verdicts keep a margin of more than two on either side on a busy machine.
 *
 * @param roleConnectionLimit the application role's CONNECTION LIMIT for the fixed handler's rows
 * @param duration how long the callers send
 * @param proxy the proxy's settings
 */
public record ManagedInstancesScenarios(int roleConnectionLimit, Duration duration, ProxySettings proxy) {

    public static final int THREADS = ManagedInstances.JAVA_CONCURRENCY_PER_VCPU;
    public static final int MIN_ENVIRONMENTS = 3;
    public static final int MAX_ENVIRONMENTS = 5;
    public static final int CALLERS = MIN_ENVIRONMENTS * THREADS;
    /**
     * Large enough that the proxy's share gives each environment a pool that serves its threads with margin: 60, so
     * 30 at the proxy and 6 per environment at most (31 threads behind a pool of 1 wait about 3 s; behind 6, 0.4 s).
     */
    public static final int ROLE_LIMIT = 60;
    /**
     * The role's limit in AWS's example's rows: template.yaml's max_connections, and exactly the 3 x 10 connections
     * the published fleet opens, so that an environment the fleet scales out to finds none left for its init.
     */
    public static final int DEFAULT_POOL_ROLE_LIMIT = 30;
    public static final int HOLD_MS = 100;
    public static final String POOL_TIMEOUT_MS = "2000";
    /** The fleet of every row. */
    public static final ManagedInstances FLEET = ManagedInstances.defaults().withConcurrency(THREADS)
            .withEnvironments(MIN_ENVIRONMENTS, MAX_ENVIRONMENTS)
            .withTiming(Duration.ofSeconds(1), Duration.ofSeconds(30));

    public ManagedInstancesScenarios {
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(proxy, "proxy");
        if (roleConnectionLimit < 4 * MAX_ENVIRONMENTS || roleConnectionLimit > 1000) {
            throw new IllegalArgumentException("the Managed Instances rows need a role limit from "
                    + 4 * MAX_ENVIRONMENTS + " to 1000, got " + roleConnectionLimit);
        }
    }

    /** The defaults of {@code testbed reproduce}. */
    public static ManagedInstancesScenarios defaults(ProxySettings proxy) {
        return new ManagedInstancesScenarios(ROLE_LIMIT, Duration.ofSeconds(4), proxy);
    }

    /** The pool size testbed check computes for this fleet behind this proxy: what the sized row sets. */
    public PoolSizing sizing() {
        return new PoolSizing(THREADS, 1.0, proxy.databaseConnections(roleConnectionLimit), MAX_ENVIRONMENTS);
    }

    public List<Scenario> scenarios() {
        PoolSizing sizing = sizing();
        return List.of(
                base("lmi-pool-of-1", Variant.FIXED, Target.PROXY, Expectation.FAILS)
                        .setting("POOL_MAX_SIZE", "1")
                        .description("The fixed handler as template.yaml deploys it today (POOL_MAX_SIZE 1), on Managed"
                                + " Instances: " + THREADS + " threads per environment queue on one connection and give"
                                + " up after POOL_TIMEOUT_MS " + POOL_TIMEOUT_MS + ". Few environments, few connections,"
                                + " many errors: the classic rule is the bottleneck here.")
                        .build(),
                base("lmi-sized-pool", Variant.FIXED, Target.PROXY, Expectation.HOLDS)
                        .setting("POOL_MAX_SIZE", Integer.toString(sizing.right()))
                        .description("The same handler with the pool sized for the model, as testbed check computes it ("
                                + sizing.explain() + "): the threads share " + sizing.right() + " connections, and the"
                                + " fleet stays within the proxy's " + proxy.databaseConnections(roleConnectionLimit)
                                + ".")
                        .build(),
                base("lmi-default-pool-direct", Variant.DEFAULT_POOL, Target.DIRECT, Expectation.FAILS)
                        .roleConnectionLimit(DEFAULT_POOL_ROLE_LIMIT)
                        .description("AWS's Managed Instances example: a static pool with HikariCP's defaults, 10"
                                + " connections per environment opened at init, straight to the database. "
                                + MIN_ENVIRONMENTS + " environments take all " + DEFAULT_POOL_ROLE_LIMIT + " of the"
                                + " role's connections; when the fleet scales out, each new environment fails its init"
                                + " at the role limit (counted as INIT_ERROR) and the fleet cannot grow.")
                        .build(),
                base("lmi-default-pool-proxy", Variant.DEFAULT_POOL, Target.PROXY, Expectation.HOLDS)
                        .roleConnectionLimit(DEFAULT_POOL_ROLE_LIMIT)
                        .description("The same example behind the proxy: environments x 10 client connections, and the"
                                + " database keeps the proxy's " + proxy.databaseConnections(DEFAULT_POOL_ROLE_LIMIT)
                                + ".")
                        .build());
    }

    private Scenario.Builder base(String name, Variant variant, Target target, Expectation expected) {
        Scenario.Builder builder = Scenario.builder(name)
                .variant(variant)
                .target(target)
                .load(Load.forDuration(CALLERS, duration, HOLD_MS))
                .roleConnectionLimit(roleConnectionLimit)
                .proxy(proxy)
                .managedInstances(FLEET)
                .expect(expected);
        if (variant == Variant.FIXED) {
            builder.setting("POOL_TIMEOUT_MS", POOL_TIMEOUT_MS)
                    .setting("POOL_VALIDATION_TIMEOUT_MS", StandardScenarios.POOL_VALIDATION_TIMEOUT_MS);
        }
        return builder;
    }
}
