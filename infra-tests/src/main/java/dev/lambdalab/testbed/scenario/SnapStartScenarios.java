package dev.lambdalab.testbed.scenario;

import dev.lambdalab.testbed.Target;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.lambda.SnapStart;
import dev.lambdalab.testbed.load.Load;
import dev.lambdalab.testbed.proxy.ProxySettings;
import java.util.List;
import java.util.Objects;

/**
 * The SnapStart pair of {@code testbed reproduce --isolation process --snapstart}: the fixed handler as it
 * is, restored {@value #COPIES} times from one snapshot, next to the one with runtime hooks. Both behind the
 * proxy, where a SnapStart function's connections belong.
 */
public final class SnapStartScenarios {

    /** Copies restored at once: the callers of both scenarios. */
    public static final int COPIES = 10;
    /** What a copy reports when its environment id is another copy's too (counted per request). */
    public static final String SHARED_ENVIRONMENT_ID = "SHARED_ENVIRONMENT_ID";

    private SnapStartScenarios() {
    }

    /**
     * @param mode {@link SnapStart#SNAPSHOT}, or {@link SnapStart#HOOKS_ONLY} where CRIU cannot run (then the
     *     naive scenario cannot show the shared state, and its row says so)
     */
    public static List<Scenario> scenarios(SnapStart mode, int roleConnectionLimit, int requests, int holdMillis,
            ProxySettings proxy) {
        Objects.requireNonNull(mode, "mode");
        if (mode == SnapStart.OFF) {
            return List.of();
        }
        String restored = mode == SnapStart.SNAPSHOT ? "restored " + COPIES + " times from one CRIU snapshot"
                : "in hooks-only mode (no snapshot: CRIU is unavailable, so nothing is shared between environments)";
        return List.of(
                base("fixed-snapstart-naive", Variant.FIXED, mode, roleConnectionLimit, requests, holdMillis, proxy,
                        mode == SnapStart.SNAPSHOT ? Scenario.Expectation.FAILS : Scenario.Expectation.HOLDS)
                        .description("The fixed handler as it is, " + restored + ": every copy starts with what init"
                                + " made, the pool's connection (dead after the restore), the credentials read at init,"
                                + " and the environment id generated at init, which every copy then reports ("
                                + SHARED_ENVIRONMENT_ID + ").")
                        .build(),
                base("fixed-snapstart", Variant.FIXED_SNAPSTART, mode, roleConnectionLimit, requests, holdMillis, proxy,
                        Scenario.Expectation.HOLDS)
                        .description("The fixed handler with org.crac hooks, " + restored + ": beforeCheckpoint empties"
                                + " and suspends the pool, afterRestore gives the copy its own id, reads the credentials"
                                + " again and resumes the pool. Every copy answers, each with its own id.")
                        .build());
    }

    private static Scenario.Builder base(String name, Variant variant, SnapStart mode, int limit, int requests,
            int holdMillis, ProxySettings proxy, Scenario.Expectation expected) {
        return Scenario.builder(name)
                .variant(variant)
                .target(Target.PROXY)
                .load(Load.closedLoop(COPIES, Math.max(COPIES, requests / 3), holdMillis))
                .roleConnectionLimit(limit)
                .proxy(proxy)
                .snapStart(mode)
                .expect(expected);
    }
}
