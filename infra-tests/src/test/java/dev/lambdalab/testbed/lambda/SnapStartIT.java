package dev.lambdalab.testbed.lambda;

import static dev.lambdalab.testbed.support.Http.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lambdalab.testbed.aws.LocalSecretsManager;
import dev.lambdalab.testbed.db.LabDatabase;
import dev.lambdalab.testbed.load.HttpApiEvents;
import dev.lambdalab.testbed.proxy.Proxy;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.scenario.TestBed;
import dev.lambdalab.testbed.scenario.Variant;
import dev.lambdalab.testbed.support.LabExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SnapStart with real snapshots: one environment initialised and dumped by CRIU, copies restored from it
 * concurrently, each in its own PID namespace, behind the RDS Proxy emulator. The snapshot tests skip where
 * CRIU cannot run, unless TESTBED_REQUIRE_SNAPSTART=1 (CI); the hooks-only test runs wherever the process
 * isolation does.
 */
@ExtendWith(LabExtension.class)
class SnapStartIT {

    private static final int COPIES = 10;

    private TestBed testBed;
    private Proxy proxy;

    @BeforeEach
    void processes(TestBed testBed) {
        LabExtension.assumeProcessIsolation();
        this.testBed = testBed.withIsolation(Isolation.PROCESS);
        testBed.resetConnections();
        proxy = testBed.startProxy(ProxySettings.DEFAULTS);
    }

    @AfterEach
    void back() {
        if (proxy != null) {
            proxy.close();
        }
        if (testBed != null) {
            testBed.withIsolation(Isolation.CLASSLOADER);
            testBed.resetConnections();
        }
    }

    @Test
    void tenCopiesRestoreConcurrentlyFromOneSnapshotAndTheNaiveHandlerGivesThemAllOneEnvironmentId() throws Exception {
        LabExtension.assumeSnapshots();
        try (EmulatedFunction naive = snapStart(Variant.FIXED)) {
            List<Answer> first = concurrently(naive, COPIES, 300);

            EmulatedFunction.RestoredCopies copies = naive.restoredCopies().orElseThrow();
            assertThat(copies.hostPids()).as("%d copies alive at once, each its own process", COPIES)
                    .hasSize(COPIES).doesNotHaveDuplicates();
            for (long pid : copies.hostPids()) {
                assertThat(namespacePid(pid)).as("host pid %d is the snapshot's pid %d in its own namespace", pid,
                        copies.snapshotPid()).isEqualTo(copies.snapshotPid());
                assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "pid")))
                        .as("copy %d has a PID namespace of its own", pid)
                        .isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")));
            }
            assertThat(first).as("one cold start per copy").allMatch(answer -> answer.coldStart);
            assertThat(first.stream().map(a -> a.emulatorEnvironment).distinct()).hasSize(COPIES);
            assertThat(first.stream().map(a -> a.reportedEnvironment).distinct())
                    .as("the naive handler: the id generated at init is every copy's").hasSize(1);
            assertThat(naive.snapshotInitDuration()).isPresent();
        }
    }

    @Test
    void theSnapStartSafeHandlerAnswersFromEveryCopyWithItsOwnIdAndNoError() throws Exception {
        LabExtension.assumeSnapshots();
        try (EmulatedFunction safe = snapStart(Variant.FIXED_SNAPSTART)) {
            List<Answer> answers = concurrently(safe, COPIES, 300);
            answers.addAll(concurrently(safe, COPIES, 0));

            assertThat(answers).as("every answer a 200").allMatch(answer -> answer.status == 200);
            assertThat(answers.stream().filter(a -> a.coldStart).map(a -> a.reportedEnvironment).distinct())
                    .as("afterRestore gave each copy its own id").hasSize(COPIES);
            List<String> log = safe.log().lines().stream().map(FunctionLog.Line::text).toList();
            assertThat(log).as("beforeCheckpoint ran once, in the snapshotted environment")
                    .filteredOn(line -> line.contains("SnapStart beforeCheckpoint")).hasSize(1);
            assertThat(log).as("afterRestore ran in every copy")
                    .filteredOn(line -> line.contains("SnapStart afterRestore")).hasSize(COPIES);
        }
    }

    @Test
    void theHooksRunInLambdasOrderBeforeCheckpointThenTheSnapshotThenAfterRestoreBeforeEachCopysFirstRequest()
            throws Exception {
        LabExtension.assumeSnapshots();
        try (EmulatedFunction safe = snapStart(Variant.FIXED_SNAPSTART)) {
            concurrently(safe, 3, 0);
            List<FunctionLog.Line> lines = safe.log().lines();
            int before = indexOf(lines, line -> line.text().contains("SnapStart beforeCheckpoint"));
            int snapshot = indexOf(lines, line -> line.text().startsWith("INIT_REPORT Init Duration"));
            assertThat(before).as("beforeCheckpoint logged").isNotNegative();
            assertThat(snapshot).as("the snapshot (INIT_REPORT) after beforeCheckpoint").isGreaterThan(before);
            List<String> copies = lines.stream().filter(line -> line.text().contains("SnapStart afterRestore"))
                    .map(FunctionLog.Line::environmentId).toList();
            assertThat(copies).hasSize(3);
            for (String copy : copies) {
                int after = indexOf(lines, line -> line.environmentId().equals(copy)
                        && line.text().contains("SnapStart afterRestore"));
                int restored = indexOf(lines, line -> line.environmentId().equals(copy)
                        && line.text().startsWith("RESTORE Restore Duration"));
                int handled = indexOf(lines, line -> line.environmentId().equals(copy) && !line.requestId().equals("-")
                        && !line.text().startsWith("RESTORE"));
                assertThat(after).as("copy %s: afterRestore after the snapshot", copy).isGreaterThan(snapshot);
                assertThat(restored).as("copy %s: its restore ends after afterRestore", copy).isGreaterThan(after);
                assertThat(handled).as("copy %s: its first request after the restore", copy)
                        .satisfiesAnyOf(index -> assertThat(index).isEqualTo(-1), index -> assertThat(index).isGreaterThan(restored));
            }
        }
    }

    private static int indexOf(List<FunctionLog.Line> lines, java.util.function.Predicate<FunctionLog.Line> match) {
        for (int i = 0; i < lines.size(); i++) {
            if (match.test(lines.get(i))) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void afterARotationTheNaiveCopiesLogInWithTheSnapshotsPasswordWhileTheSafeOnesReadTheSecretAgainFirst()
            throws Exception {
        LabExtension.assumeSnapshots();
        LabDatabase lab = testBed.lab();
        String secretId = "lab/snapstart-" + UUID.randomUUID().toString().substring(0, 8);
        try (LocalSecretsManager secrets = new LocalSecretsManager().start()) {
            for (Variant variant : List.of(Variant.FIXED, Variant.FIXED_SNAPSTART)) {
                secrets.putSecret(secretId, secret(lab.appPassword()));
                try (EmulatedFunction function = testBed.function(variant, secretEnvironment(secrets, secretId))
                        .withSnapStart(SnapStart.SNAPSHOT).publish()) {
                    // The snapshot's init read it (and, the first time a handler runs, the class-data sharing
                    // archive's training run too).
                    int readsAtSnapshot = secrets.reads(secretId);
                    String rotated = "rotated-" + UUID.randomUUID().toString().replace("-", "");
                    lab.setAppPassword(rotated); // the rotation, after the snapshot: role and secret together
                    secrets.putSecret(secretId, secret(rotated));

                    List<Answer> answers = concurrently(function, 3, 0);

                    List<String> log = function.log().lines().stream().map(FunctionLog.Line::text).toList();
                    long rejected = log.stream().filter(line -> line.contains("login rejected")).count();
                    assertThat(readsAtSnapshot).as("%s: the secret read by the snapshot's init", variant).isPositive();
                    assertThat(answers).as("%s: every copy answers", variant).allMatch(answer -> answer.status == 200);
                    assertThat(secrets.reads(secretId)).as("%s: each copy read the secret again", variant)
                            .isEqualTo(readsAtSnapshot + 3);
                    if (variant == Variant.FIXED) {
                        assertThat(rejected).as("naive: each copy first logged in with the password from init, and"
                                + " the database refused it").isEqualTo(3);
                    } else {
                        assertThat(rejected).as("safe: afterRestore read the secret before any login").isZero();
                    }
                } finally {
                    lab.setAppPassword(lab.appPassword());
                }
            }
        }
    }

    private Map<String, String> secretEnvironment(LocalSecretsManager secrets, String secretId) {
        Map<String, String> environment = new java.util.LinkedHashMap<>(testBed.environment(null, Map.of()));
        environment.remove("DB_USER"); // the secret names the user and holds the password
        environment.remove("DB_PASSWORD");
        environment.put("DB_AUTH", "secrets-manager");
        environment.put("DB_SECRET_ARN", secretId);
        environment.putAll(secrets.functionEnvironment());
        return environment;
    }

    private String secret(String password) {
        return "{\"username\":\"" + LabDatabase.APP_ROLE + "\",\"password\":\"" + password + "\",\"engine\":\"postgres\","
                + "\"host\":\"" + testBed.server().host() + "\",\"port\":" + testBed.server().port() + ",\"dbname\":\""
                + LabDatabase.DATABASE + "\"}";
    }

    @Test
    void hooksOnlyRunsBothHooksInEachEnvironmentInOrderWithoutASnapshotWhereCriuCannotRun() throws Exception {
        try (EmulatedFunction safe = testBed.function(Variant.FIXED_SNAPSTART, testBed.environment(proxy, Map.of()))
                .withSnapStart(SnapStart.HOOKS_ONLY)) {
            List<Answer> answers = concurrently(safe, 2, 200);

            assertThat(safe.restoredCopies()).as("no snapshot in hooks-only mode").isEmpty();
            assertThat(answers.stream().map(a -> a.reportedEnvironment).distinct()).hasSize(2);
            for (Answer answer : answers) {
                List<String> own = safe.log().lines().stream()
                        .filter(line -> line.environmentId().equals(answer.emulatorEnvironment))
                        .map(FunctionLog.Line::text).toList();
                int before = indexOf(own, "SnapStart beforeCheckpoint");
                int after = indexOf(own, "SnapStart afterRestore");
                int restored = indexOf(own, "RESTORE Restore Duration");
                assertThat(before).as("environment %s ran beforeCheckpoint: %s", answer.emulatorEnvironment, own)
                        .isNotNegative();
                assertThat(after).as("then afterRestore").isGreaterThan(before);
                assertThat(restored).as("then its restore ended").isGreaterThan(after);
                assertThat(own.get(restored)).contains("hooks only");
            }
        }
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }

    private EmulatedFunction snapStart(Variant variant) {
        return testBed.function(variant, testBed.environment(proxy, Map.of())).withSnapStart(SnapStart.SNAPSHOT);
    }

    private record Answer(int status, boolean coldStart, String emulatorEnvironment, String reportedEnvironment,
            JsonNode body) {
    }

    private static List<Answer> concurrently(EmulatedFunction function, int callers, int holdMillis) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<Invocation>> futures = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                futures.add(pool.submit(() -> function.invoke(HttpApiEvents.get("/fixed", holdMillis))));
            }
            List<Answer> answers = new ArrayList<>();
            for (Future<Invocation> future : futures) {
                Invocation invocation = future.get();
                assertThat(invocation.succeeded()).as("invocation %s: %s %s", invocation.requestId(),
                        invocation.errorType(), invocation.errorMessage()).isTrue();
                var response = (com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse) invocation.response();
                JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.getBody());
                answers.add(new Answer(response.getStatusCode(), invocation.coldStart(), invocation.environmentId(),
                        json.path("environmentId").asText(), json));
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The innermost pid from /proc/PID/status's NSpid line: the pid the process sees as its own. */
    private static long namespacePid(long hostPid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(hostPid), "status"))) {
            if (line.startsWith("NSpid:")) {
                String[] fields = line.split("\\s+");
                return Long.parseLong(fields[fields.length - 1]);
            }
        }
        return -1;
    }
}
