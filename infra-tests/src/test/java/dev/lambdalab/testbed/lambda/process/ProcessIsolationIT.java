package dev.lambdalab.testbed.lambda.process;

import static dev.lambdalab.testbed.support.Http.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lambdalab.testbed.Target;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.apigw.HttpApiEvents;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.EnvironmentInfo;
import dev.lambdalab.testbed.lambda.Invocation;
import dev.lambdalab.testbed.lambda.Isolation;
import dev.lambdalab.testbed.lambda.sandbox.FunctionLog;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.scenario.EmulatorHost;
import dev.lambdalab.testbed.scenario.Scenario;
import dev.lambdalab.testbed.scenario.ScenarioResult;
import dev.lambdalab.testbed.scenario.ScenarioRunner;
import dev.lambdalab.testbed.scenario.StandardScenarios;
import dev.lambdalab.testbed.scenario.Verdict;
import dev.lambdalab.testbed.support.LabExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The process isolation: every environment a JVM under AWS's runtime interface client, frozen with
 * SIGSTOP between invocations. These tests show what only a freeze shows, and prove the freeze each time
 * from /proc: the process is in state T and used no CPU while frozen.
 */
@ExtendWith(LabExtension.class)
class ProcessIsolationIT {

    private TestBed testBed;

    @BeforeEach
    void processIsolation(TestBed testBed) {
        LabExtension.assumeProcessIsolation();
        this.testBed = testBed.withIsolation(Isolation.PROCESS);
        testBed.resetConnections();
    }

    @AfterEach
    void backToClassLoaders() {
        if (testBed != null) {
            testBed.withIsolation(Isolation.CLASSLOADER);
            testBed.resetConnections();
        }
    }

    @Test
    void aConnectionTheServerClosedWhileFrozenIsFoundDeadAfterTheThawAndReplacedWithoutAnError() throws Exception {
        try (EmulatedFunction fixed = testBed.function(Variant.FIXED, testBed.environment(null, Map.of()))) {
            JsonNode first = body(fixed.invoke(HttpApiEvents.get("/fixed", 0)), 200);
            EnvironmentInfo environment = awaitFrozen(fixed);
            long pid = environment.processId();
            long cpuBefore = Signals.cpuTicks(pid);

            terminateBackend(first.path("backendPid").asInt());
            Thread.sleep(1500);

            assertThat(Signals.state(pid)).as("the environment's process is stopped").isEqualTo('T');
            assertThat(Signals.cpuTicks(pid)).as("and used no CPU while the server closed its connection").isEqualTo(cpuBefore);

            Invocation thawed = fixed.invoke(HttpApiEvents.get("/fixed", 0));
            JsonNode second = body(thawed, 200);
            assertThat(thawed.coldStart()).as("the same environment, thawed").isFalse();
            assertThat(second.path("environmentId").asText()).isEqualTo(first.path("environmentId").asText());
            assertThat(second.path("backendPid").asInt()).as("a new connection").isNotEqualTo(first.path("backendPid").asInt());
            assertThat(logOf(fixed)).as("HikariCP found the connection dead after the thaw")
                    .anyMatch(line -> line.contains("Failed to validate connection"));
        }
    }

    @Test
    void theBrokenHandlersBackgroundFillsStallWhileFrozenAndResumeOnThaw() throws Exception {
        testBed.lab().setAppConnectionLimit(40);
        try (EmulatedFunction broken = testBed.function(Variant.BROKEN, testBed.environment(null, Map.of()))) {
            JsonNode first = body(broken.invoke(HttpApiEvents.get("/broken", 0)), 200);
            String environmentId = first.path("environmentId").asText();
            EnvironmentInfo environment = awaitFrozen(broken);
            int whenFrozen = testBed.lab().connectionsOfEnvironment(environmentId);
            Thread.sleep(1000);
            int secondLater = testBed.lab().connectionsOfEnvironment(environmentId);

            assertThat(Signals.state(environment.processId())).isEqualTo('T');
            assertThat(whenFrozen).as("the leaked pool stopped filling at the freeze, short of its 10").isLessThan(10);
            assertThat(secondLater).as("and stayed there while frozen").isEqualTo(whenFrozen);
            // Two measures: backends in pg_stat_activity (whenFrozen) and the frozen process's TCP sockets in /proc.
            // The kernel completes a handshake the stopped process started, and the server then has no backend
            // for it until the process sends its startup packet: so sockets can exceed backends by the pool's
            // connections still opening, never fall short of them, and never exceed the pool's 10.
            assertThat(broken.metrics().connectionsHeldByFrozenEnvironments()).as("sockets held by frozen environments")
                    .isBetween(whenFrozen, 10);

            body(broken.invoke(HttpApiEvents.get("/broken", 1500)), 200); // thawed for 1.5 s
            assertThat(await(Duration.ofSeconds(5), () -> testBed.lab().connectionsOfEnvironment(environmentId) == 20))
                    .as("after the thaw the first pool filled up to 10, the second too: %d", testBed.lab().connectionsOfEnvironment(environmentId))
                    .isTrue();
        } finally {
            testBed.lab().setAppConnectionLimit(10);
        }
    }

    @Test
    void aFreezeLongerThanTheHousekeepingPeriodMakesHikariLogItsClockLeapWarningOnThaw() throws Exception {
        // HikariCP's housekeeper runs every 30 s; a shorter period (its own system property) keeps the test short.
        try (EmulatedFunction fixed = testBed.function(Variant.FIXED, testBed.environment(null, Map.of()))
                .withJvmOptions("-Dcom.zaxxer.hikari.housekeeping.periodMs=1000")) {
            body(fixed.invoke(HttpApiEvents.get("/fixed", 0)), 200);
            awaitFrozen(fixed);
            Thread.sleep(3000);
            assertThat(logOf(fixed)).as("nothing logged while frozen").noneMatch(l -> l.contains(EmulatorHost.CLOCK_LEAP));

            body(fixed.invoke(HttpApiEvents.get("/fixed", 0)), 200);

            assertThat(await(Duration.ofSeconds(5), () -> logOf(fixed).stream().anyMatch(l -> l.contains(EmulatorHost.CLOCK_LEAP))))
                    .as("HikariCP's warning after the 3 s freeze; log: %s", logOf(fixed)).isTrue();
        }
    }

    @Test
    void aTimedOutEnvironmentIsKilledWithoutShutdownHookAndTheKernelClosesItsConnection() throws Exception {
        try (EmulatedFunction fixed = testBed.function(Variant.FIXED, testBed.environment(null, Map.of()))
                .withTimeout(Duration.ofSeconds(1))) {
            body(fixed.invoke(HttpApiEvents.get("/fixed", 0)), 200);
            long pid = fixed.environments().get(0).processId();

            Invocation timedOut = fixed.invoke(HttpApiEvents.get("/fixed", 2500));

            assertThat(timedOut.outcome()).isEqualTo(Invocation.Outcome.TIMED_OUT);
            assertThat(Files.exists(Path.of("/proc", Long.toString(pid)))).as("the process was killed").isFalse();
            assertThat(fixed.metrics().connectionsHeldByDeadEnvironments())
                    .as("unlike Lambda, nothing leaks: the kernel closed the killed process's socket").isZero();
            Invocation next = fixed.invoke(HttpApiEvents.get("/fixed", 0));
            assertThat(next.coldStart()).as("the next invocation starts a new environment").isTrue();
            // The server notices the closed socket when the aborted query ends and it writes the result.
            assertThat(await(Duration.ofSeconds(5), () -> testBed.lab().appConnections() == 1))
                    .as("only the new environment's connection is left").isTrue();
        }
    }

    @Test
    void everyReproduceScenarioGivesTheSameVerdictAsWithClassLoaders() throws Exception {
        LabExtension.assumePgBouncer(testBed);
        int limit = 5;
        StandardScenarios matrix = new StandardScenarios(limit, 2 * limit, 3 * limit, 60, 50, ProxySettings.DEFAULTS,
                EnumSet.allOf(Variant.class), EnumSet.allOf(Target.class));
        ScenarioRunner runner = new ScenarioRunner(testBed);
        List<ScenarioResult> results = new ArrayList<>();
        for (Scenario scenario : matrix.scenarios()) {
            results.add(runner.run(scenario));
        }
        try {
            for (ScenarioResult result : results) {
                assertThat(result.setup().isolation()).isEqualTo("process");
                assertThat(result.outcome().verdict())
                        .as("%s: %s with %s", result.name(), result.outcome().observed(), result.answers().errorDetails())
                        .isEqualTo(Verdict.AS_EXPECTED);
            }
            ScenarioResult brokenDirect = results.stream().filter(r -> r.name().equals("broken-direct")).findFirst()
                    .orElseThrow();
            assertThat(brokenDirect.connections().peakConnectionsHeldByFrozenEnvironments())
                    .as("the broken handler's leaked connections sit in frozen environments").isPositive();
        } finally {
            testBed.lab().setAppConnectionLimit(10);
        }
    }

    private static EnvironmentInfo awaitFrozen(EmulatedFunction function) throws InterruptedException {
        assertThat(await(Duration.ofSeconds(5), () -> function.environments().stream().anyMatch(
                EnvironmentInfo::frozen))).as("an environment is frozen").isTrue();
        return function.environments().stream().filter(EnvironmentInfo::frozen).findFirst().orElseThrow();
    }

    private static List<String> logOf(EmulatedFunction function) {
        return function.log().lines().stream().map(FunctionLog.Line::text).toList();
    }

    private void terminateBackend(int pid) throws Exception {
        try (Connection admin = testBed.server().superuserConnection("lab");
                PreparedStatement statement = admin.prepareStatement("SELECT pg_terminate_backend(?)")) {
            statement.setInt(1, pid);
            statement.execute();
        }
    }

    private static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return condition.getAsBoolean();
    }

    @Test
    void theFastProfileMapsTheFunctionsClassDataArchiveAndTheLambdaProfileDoesNot() throws Exception {
        String fastCommand;
        String fastMaps;
        long archiveRss;
        long archiveDirty;
        try (EmulatedFunction fixed = testBed.function(Variant.FIXED, testBed.environment(null, Map.of()))
                .withJvmProfile(JvmProfile.FAST)) {
            assertThat(fixed.invoke(HttpApiEvents.get("/fixed", 0)).succeeded()).as("fast: a request").isTrue();
            long pid = fixed.environments().get(0).processId();
            fastCommand = ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).orElse("");
            fastMaps = Files.readString(Path.of("/proc", Long.toString(pid), "maps"));
            long[] archive = archivePages(pid);
            archiveRss = archive[0];
            archiveDirty = archive[1];
        }
        assertThat(fastCommand).as("the fast profile's command line").contains(
                AppCdsArchive.aheadOfTime(Runtime.version().feature()) ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=", "-Xms16m",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:ArchiveRelocationMode=0");
        assertThat(fastMaps).as("the archive mapped into the environment's JVM").contains("/cds/appcds-");
        // Mapped where it was made for, the JDK's archive is not rewritten: its read-only half stays clean, shared
        // with every other environment (relocated, 10 of its 12 MB were private and dirty in each).
        assertThat(archiveDirty).as("dirty kB of the JDK's class-data archive, of %d kB resident", archiveRss)
                .isLessThan(archiveRss / 2);

        try (EmulatedFunction fixed = testBed.function(Variant.FIXED, testBed.environment(null, Map.of()))
                .withJvmProfile(JvmProfile.LAMBDA)) {
            assertThat(fixed.invoke(HttpApiEvents.get("/fixed", 0)).succeeded()).as("lambda: a request").isTrue();
            long pid = fixed.environments().get(0).processId();
            String command = ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).orElse("");
            assertThat(command).as("the lambda profile's command line").contains("-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC").doesNotContain("SharedArchiveFile", "-Xms16m", "UsePerfData");
        }
    }

    /** {resident, private dirty} kB of the JDK's class-data archive (lib/server/classes.jsa) in the process's memory. */
    private static long[] archivePages(long pid) throws Exception {
        long rss = 0;
        long dirty = 0;
        boolean inArchive = false;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps"))) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                inArchive = line.endsWith("/lib/server/classes.jsa");
            } else if (inArchive && line.startsWith("Rss:")) {
                rss += Long.parseLong(line.replaceAll("[^0-9]", ""));
            } else if (inArchive && line.startsWith("Private_Dirty:")) {
                dirty += Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return new long[] {rss, dirty};
    }
}
