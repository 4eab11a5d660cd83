package dev.lambdalab.testbed.support;

import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.lambda.SnapStart;
import dev.lambdalab.testbed.lambda.process.ProcessRuntime;
import dev.lambdalab.testbed.proxy.ProxyKind;
import dev.lambdalab.testbed.scenario.ScenarioRunner;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives integration tests the one {@link TestBed} of this JVM: an embedded PostgreSQL 17 (or the server
 * in TESTBED_POSTGRES_URL), started on first use and stopped when the test run ends.
 */
public final class LabExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LabExtension.class);

    /** Closed by JUnit with the root context, at the end of the run. */
    private record Shared(TestBed testBed) implements AutoCloseable {
        @Override
        public void close() {
            testBed.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestBed.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(Shared.class, key -> new Shared(TestBed.fromEnvironment(10)), Shared.class)
                .testBed();
    }

    /**
     * Skips the calling test when the test bed cannot start a proxy (PgBouncer not installed, no container
     * providers), with how to install it, unless TESTBED_REQUIRE_PGBOUNCER demands it (CI does): then the
     * test fails.
     */
    /** Skips the test where process isolation cannot run, or fails it where {@code TESTBED_REQUIRE_PROCESS_ISOLATION=1}. */
    public static void assumeProcessIsolation() {
        ProcessRuntime.unavailableReason().ifPresent(reason -> {
            if ("1".equals(System.getenv(REQUIRE_PROCESS_ISOLATION_VARIABLE))) {
                Assertions.fail("process isolation is required by " + REQUIRE_PROCESS_ISOLATION_VARIABLE + ": " + reason);
            }
            Assumptions.abort("process isolation unavailable: " + reason);
        });
    }

    /**
     * Skips unless SnapStart snapshots can be taken here (Linux, root, CRIU 4.1: see
     * infra-tests/snapstart/install-criu); fails instead when {@value SnapStart#REQUIRE_VARIABLE} is 1, as in CI.
     */
    public static void assumeSnapshots() {
        assumeProcessIsolation();
        SnapStart.snapshotUnavailableReason().ifPresent(reason -> {
            if (SnapStart.required()) {
                Assertions.fail("SnapStart snapshots are required by " + SnapStart.REQUIRE_VARIABLE + ": " + reason);
            }
            Assumptions.abort("SnapStart snapshots unavailable: " + reason);
        });
    }

    /** Set to 1 (CI does) to fail instead of skipping when process isolation cannot run. */
    public static final String REQUIRE_PROCESS_ISOLATION_VARIABLE = "TESTBED_REQUIRE_PROCESS_ISOLATION";

    public static void assumePgBouncer(TestBed testBed) {
        if (testBed.proxyAvailable(ProxyKind.PGBOUNCER)) {
            return;
        }
        String message = "PgBouncer is not installed (sudo apt-get install -y pgbouncer): proxy tests skipped";
        if (ScenarioRunner.pgBouncerRequired()) {
            Assertions.fail(message.replace("skipped", "required by " + ScenarioRunner.REQUIRE_PGBOUNCER_VARIABLE));
        }
        Assumptions.abort(message);
    }
}
