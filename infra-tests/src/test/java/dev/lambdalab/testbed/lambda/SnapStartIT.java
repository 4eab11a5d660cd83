package dev.lambdalab.testbed.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lambdalab.db.IamTokenCredentials;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.apigw.HttpApiEvents;
import dev.lambdalab.testbed.aws.LocalSecretsManager;
import dev.lambdalab.testbed.db.LabDatabase;
import dev.lambdalab.testbed.lambda.sandbox.FunctionLog;
import dev.lambdalab.testbed.proxy.Proxy;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.support.Http;
import dev.lambdalab.testbed.support.LabExtension;
import java.nio.file.Files;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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

            RestoredCopies copies = naive.restoredCopies().orElseThrow();
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
            List<String> log = awaitLines(safe, "SnapStart afterRestore", COPIES);
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
            List<Answer> first = concurrently(safe, 3, 0);
            // Each process's lines arrive through its own pipe, read on a thread of their own: the order of lines
            // from different processes in the log says nothing. The order shows in what each hook leaves behind.
            List<String> log = awaitLines(safe, "SnapStart afterRestore", 3);
            String snapshotted = shortIdIn(log.stream().filter(line -> line.contains("SnapStart beforeCheckpoint"))
                    .findFirst().orElseThrow(() -> new AssertionError("no beforeCheckpoint line: " + log)));
            List<String> restores = log.stream().filter(line -> line.contains("SnapStart afterRestore")).toList();
            for (String restore : restores) {
                assertThat(restore).as("afterRestore ran in a copy of the environment that ran beforeCheckpoint")
                        .contains("restored from the snapshot of env " + snapshotted);
            }
            for (Answer answer : first) {
                String id = answer.reportedEnvironment.substring(0, 12);
                assertThat(answer.coldStart).as("a restored copy's first request").isTrue();
                assertThat(restores).as("the first request of copy %s was answered under the id its afterRestore"
                        + " made, so the hook ran before it", answer.emulatorEnvironment)
                        .anyMatch(line -> shortIdIn(line).equals(id));
                assertThat(id).as("and not under the snapshot's").isNotEqualTo(snapshotted);
            }
        }
    }

    /** The log's lines once {@code count} of them contain {@code text} (their pipes are read asynchronously). */
    private static List<String> awaitLines(EmulatedFunction function, String text, int count) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (true) {
            List<String> lines = function.log().lines().stream().map(FunctionLog.Line::text).toList();
            if (lines.stream().filter(line -> line.contains(text)).count() >= count || System.nanoTime() > deadline) {
                return lines;
            }
            Thread.sleep(20);
        }
    }

    /** The 12-character environment id of a {@code [env ID variant]} log line. */
    private static String shortIdIn(String line) {
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("\\[env ([0-9a-f]{12}) ").matcher(line);
        assertThat(matcher.find()).as("an environment id in: %s", line).isTrue();
        return matcher.group(1);
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

                    List<String> log = variant == Variant.FIXED ? awaitLines(function, "login rejected", 3)
                            : awaitLines(function, "SnapStart afterRestore", 3);
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

    /**
     * DB_AUTH=iam under SnapStart: a copy restored after the token signed during init has expired logs in with a token
     * its afterRestore hook signed. The token's 15 minutes are compressed to 4 s at the proxy (the test cannot wait 15
     * minutes); a token the test signs before the wait, as init did, is refused after it, which shows the compression
     * bites. A copy that reused init's token would be refused too, and answer 503.
     */
    @Test
    void aCopyRestoredAfterTheTokensLifeLogsInWithATokenItsAfterRestoreHookSigned() throws Exception {
        LabExtension.assumeSnapshots();
        Duration tokenLife = Duration.ofSeconds(4);
        Proxy iam = testBed.startIamProxy(ProxySettings.DEFAULTS, tokenLife);
        try {
            Map<String, String> environment = testBed.environment(iam, Map.of());
            String host = environment.get("DB_HOST");
            int port = Integer.parseInt(environment.get("DB_PORT"));
            String user = environment.get("DB_USER");
            String initsToken = new IamTokenCredentials(host, port, user, IamTokenCredentials.awsSdkSigner("us-east-1",
                    environment), Clock.systemUTC(), IamTokenCredentials.DEFAULT_REUSE).getCredentials().getPassword();
            try (EmulatedFunction safe = testBed.function(Variant.FIXED_SNAPSTART, environment)
                    .withSnapStart(SnapStart.SNAPSHOT).publish()) {
                Thread.sleep(tokenLife.plusSeconds(2).toMillis()); // the snapshot's token is past its (compressed) life

                List<Answer> answers = concurrently(safe, 3, 0);

                List<String> log = awaitLines(safe, "SnapStart afterRestore", 3);
                assertThat(answers).as("every restored copy's answer; the function's log: %s", log)
                        .allMatch(answer -> answer.status == 200);
                assertThat(log).as("logins refused and retried in the copies").noneMatch(line ->
                        line.contains("login rejected"));
                Properties login = new Properties();
                login.setProperty("user", user);
                login.setProperty("password", initsToken);
                login.setProperty("sslmode", "require");
                assertThatThrownBy(() -> DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/"
                        + environment.get("DB_NAME"), login).close()).as("a token signed before the wait, as init's was")
                        .isInstanceOf(SQLException.class).hasMessageContaining("IAM authentication failed");
            }
        } finally {
            iam.close();
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
            awaitLines(safe, "SnapStart afterRestore", 2);
            for (Answer answer : answers) {
                List<String> own = safe.log().lines().stream()
                        .filter(line -> line.environmentId().equals(answer.emulatorEnvironment))
                        .map(FunctionLog.Line::text).toList();
                // Both hooks' lines come through the environment's one stderr pipe, in the order they were written.
                int before = indexOf(own, "SnapStart beforeCheckpoint");
                int after = indexOf(own, "SnapStart afterRestore");
                int restored = indexOf(own, "RESTORE Restore Duration");
                assertThat(before).as("environment %s ran beforeCheckpoint: %s", answer.emulatorEnvironment, own)
                        .isNotNegative();
                assertThat(after).as("then afterRestore").isGreaterThan(before);
                assertThat(restored).as("its restore was reported").isNotNegative();
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
                APIGatewayV2HTTPResponse response = Http.response(invocation);
                JsonNode json = Http.body(response);
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
