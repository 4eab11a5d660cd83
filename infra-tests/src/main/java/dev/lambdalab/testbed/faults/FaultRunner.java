package dev.lambdalab.testbed.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdalab.testbed.aws.LocalSecretsManager;
import dev.lambdalab.testbed.db.LabDatabase;
import dev.lambdalab.testbed.faults.FaultResult.Check;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.FunctionLog;
import dev.lambdalab.testbed.lambda.Invocation;
import dev.lambdalab.testbed.lambda.Isolation;
import dev.lambdalab.testbed.load.HttpApiEvents;
import dev.lambdalab.testbed.load.HttpApiGateway;
import dev.lambdalab.testbed.load.Load;
import dev.lambdalab.testbed.load.LoadDriver;
import dev.lambdalab.testbed.load.LoadResult;
import dev.lambdalab.testbed.load.RequestRecord;
import dev.lambdalab.testbed.proxy.PoolsSnapshot;
import dev.lambdalab.testbed.proxy.Proxy;
import dev.lambdalab.testbed.scenario.TestBed;
import dev.lambdalab.testbed.scenario.Variant;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Injects one {@link Fault} into the fixed function's path on a {@link TestBed} and measures what the
 * callers saw, how long recovery took, and whether any environment was left broken. Every fault runs
 * real components: the fixed handler in the emulator, PostgreSQL, the proxy, the AWS SDK against a
 * local Secrets Manager endpoint.
 *
 * <p>Timings are wall-clock on a shared machine: the checks leave generous room (seconds, not
 * milliseconds) and the report gives the measured values.
 */
public final class FaultRunner {

    /** Callers of the load faults. */
    static final int LOAD_CALLERS = 6;
    /** How long the database or proxy stays down in the restart faults. */
    static final Duration DOWNTIME = Duration.ofSeconds(2);
    /** Errors must end within this long after the restarted component is back. */
    static final long RECOVERY_LIMIT_MILLIS = 5_000;
    /**
     * Recovery limit after a database that was away since the cold start: HikariCP retries a failed
     * connection with a backoff that doubles from 10 ms up to 5 s (HikariPool.PoolEntryCreator), so the
     * pool may sleep up to 5 s more after the database is back.
     */
    static final long COLD_START_RECOVERY_LIMIT_MILLIS = 8_000;
    /** The fixed function's pool timeout (POOL_TIMEOUT_MS default): a 503 comes within it, plus slack. */
    static final long POOL_TIMEOUT_MILLIS = 3_000;
    /** The function timeout in template.yaml. */
    static final long FUNCTION_TIMEOUT_MILLIS = 15_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestBed testBed;
    private final List<String> secretsUsed = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final AtomicInteger okBodies = new AtomicInteger();
    private Consumer<String> progress = line -> { };

    public FaultRunner(TestBed testBed) {
        this.testBed = Objects.requireNonNull(testBed, "testBed");
    }

    /** Where to report what is happening (the CLI prints it). */
    public FaultRunner withProgress(Consumer<String> progress) {
        this.progress = Objects.requireNonNull(progress, "progress");
        return this;
    }

    /**
     * Every password and key the runner made up (rotated passwords, the local Secrets Manager's secret
     * key) besides the lab's own, so a test can search all output for them.
     */
    public List<String> secretsUsed() {
        return List.copyOf(secretsUsed);
    }

    /** Runs the fault, or skips it when the test bed lacks what it needs. */
    public FaultResult run(Fault fault) throws InterruptedException {
        if (fault.needs().proxy() && !testBed.proxyAvailable()) {
            return FaultResult.skipped(fault, testBed.proxyUnavailableReason());
        }
        if (fault.needs().restartableServer() && !testBed.server().restartable()) {
            return FaultResult.skipped(fault, testBed.description() + " cannot be restarted by the test bed");
        }
        if (testBed.isolation() == Isolation.PROCESS && (fault == Fault.FUNCTION_TIMEOUT_HOLDING_CONNECTION
                || fault == Fault.FUNCTION_TIMEOUT_BEHIND_PROXY)) {
            return FaultResult.skipped(fault, "with process isolation a timed-out environment's process is killed and"
                    + " the kernel closes its connections at once; in Lambda they leak, which the class-loader"
                    + " isolation shows");
        }
        progress.accept(fault.label() + ": " + fault.description());
        bodies.clear();
        okBodies.set(0);
        testBed.resetConnections();
        try {
            return switch (fault) {
                case SERVER_ENDS_IDLE_CONNECTIONS -> serverEndsIdleConnections();
                case PROXY_CLOSES_IDLE_CLIENTS -> proxyClosesIdleClients();
                case PROXY_RESTART_UNDER_LOAD -> restartUnderLoad(fault, true, proxy -> proxy.restart(DOWNTIME));
                case POSTGRES_RESTART_UNDER_LOAD -> restartUnderLoad(fault, true,
                        proxy -> testBed.server().restart(DOWNTIME));
                case POSTGRES_RESTART_DIRECT -> restartUnderLoad(fault, false,
                        proxy -> testBed.server().restart(DOWNTIME));
                case DATABASE_DOWN_AT_COLD_START -> databaseAbsentAtColdStart(fault, TcpRelay.Mode.REFUSE);
                case DATABASE_UNRESPONSIVE_AT_COLD_START -> databaseAbsentAtColdStart(fault, TcpRelay.Mode.UNRESPONSIVE);
                case CREDENTIALS_ROTATED -> credentialsRotated();
                case FUNCTION_TIMEOUT_HOLDING_CONNECTION -> functionTimeoutDirect();
                case FUNCTION_TIMEOUT_BEHIND_PROXY -> functionTimeoutBehindProxy();
                case QUERY_CANCELLED_BY_QUERY_TIMEOUT -> slowQuery(fault, 1, 3);
                case QUERY_PAST_SOCKET_TIMEOUT -> slowQuery(fault, 0, 1);
            };
        } finally {
            testBed.resetConnections();
        }
    }

    /** Runs several faults in order. */
    public List<FaultResult> runAll(List<Fault> faults) throws InterruptedException {
        List<FaultResult> results = new ArrayList<>();
        for (Fault fault : faults) {
            results.add(run(fault));
        }
        return results;
    }

    // ---------------------------------------------------------------- idle connections closed by the other side

    private FaultResult serverEndsIdleConnections() throws InterruptedException {
        try (EmulatedFunction fixed = fixed(testBed.environment(null, Map.of()))) {
            return idleConnectionsClosed(Fault.SERVER_ENDS_IDLE_CONNECTIONS, fixed, () -> {
                int ended = testBed.lab().terminateAppConnections();
                sleep(Duration.ofSeconds(1)); // idle afterwards, as a frozen environment would be
                return ended;
            });
        }
    }

    private FaultResult proxyClosesIdleClients() throws InterruptedException {
        Duration idleTimeout = Duration.ofSeconds(2);
        try (Proxy proxy = testBed.startProxy(testBed.proxyDefaults().withIdleClientTimeout(idleTimeout));
                EmulatedFunction fixed = fixed(testBed.environment(proxy, Map.of()))) {
            return idleConnectionsClosed(Fault.PROXY_CLOSES_IDLE_CLIENTS, fixed, () -> {
                int before = pools(proxy).clients();
                boolean closed = await(Duration.ofSeconds(10), () -> pools(proxy).clients() == 0);
                return closed ? before : -1;
            });
        }
    }

    @FunctionalInterface
    private interface IdleFault {
        /** Applies the fault; returns how many connections it closed (-1 when it did not happen). */
        int apply() throws InterruptedException;
    }

    private FaultResult idleConnectionsClosed(Fault fault, EmulatedFunction fixed, IdleFault closeConnections)
            throws InterruptedException {
        int environments = 4;
        List<Call> warm = concurrently(fixed, environments, 300);
        Set<Integer> oldPids = warm.stream().map(Call::backendPid).collect(Collectors.toSet());
        int closed = closeConnections.apply();
        List<Call> after = concurrently(fixed, environments, 0);
        Map<String, Long> answers = answers(after);
        long errors = after.stream().filter(call -> call.status() != 200).count();
        long slowest = after.stream().mapToLong(Call::latencyMillis).max().orElse(0);
        Set<Integer> newPids = after.stream().map(Call::backendPid).collect(Collectors.toSet());
        boolean replaced = fault == Fault.PROXY_CLOSES_IDLE_CLIENTS || newPids.stream().noneMatch(oldPids::contains);
        List<Check> checks = List.of(
                check("warm-up answered 200 from " + environments + " environments",
                        warm.stream().allMatch(call -> call.status() == 200) && environmentsOf(warm) == environments,
                        answers(warm) + " from " + environmentsOf(warm) + " environments"),
                check("the fault closed every idle connection", closed == environments, closed + " closed"),
                check("no error reached a caller", errors == 0, answers.toString()),
                check("the same environments answered, none started again",
                        after.stream().noneMatch(Call::coldStart) && environmentsOf(after) == environments,
                        environmentsOf(after) + " environments, " + after.stream().filter(Call::coldStart).count()
                                + " cold starts"),
                check("each pool replaced its dead connection", replaced,
                        "backends before " + oldPids + ", after " + newPids),
                check("the first answer after the fault came within the pool timeout", slowest < POOL_TIMEOUT_MILLIS,
                        slowest + " ms"));
        Map<String, Number> measurements = new LinkedHashMap<>();
        measurements.put("environments", environments);
        measurements.put("connectionsClosed", closed);
        measurements.put("errors", errors);
        measurements.put("slowestFirstAnswerMillis", slowest);
        return new FaultResult(fault, null, "0 errors: " + answers.getOrDefault("200", 0L) + " × 200 from the same "
                + environments + " environments",
                "none needed: the pool validated the connection on borrow and opened a new one (slowest answer "
                        + slowest + " ms)",
                answers, measurements, checks, logOf(fixed), bodies());
    }

    // ---------------------------------------------------------------- restarts under load

    @FunctionalInterface
    private interface Restart {
        void apply(Proxy proxy) throws InterruptedException;
    }

    private FaultResult restartUnderLoad(Fault fault, boolean throughProxy, Restart restart)
            throws InterruptedException {
        Proxy proxy = throughProxy ? testBed.startProxy(testBed.proxyDefaults()) : null;
        try (EmulatedFunction fixed = fixed(testBed.environment(proxy, Map.of()))) {
            Duration total = Duration.ofSeconds(9);
            Duration faultAt = Duration.ofSeconds(2);
            LoadDriver driver = new LoadDriver(fixed::invoke, Variant.FIXED.path(), this::keepBody);
            ExecutorService background = Executors.newSingleThreadExecutor();
            long t0 = System.nanoTime();
            Future<LoadResult> load = background.submit(() -> driver.run(Load.forDuration(LOAD_CALLERS, total, 50)));
            sleep(faultAt);
            long faultStart = millisSince(t0);
            restart.apply(proxy);
            long faultEnd = millisSince(t0);
            progress.accept("  restarted: down from " + faultStart + " ms to " + faultEnd + " ms");
            LoadResult result = get(load);
            background.shutdown();

            List<RequestRecord> records = result.records();
            List<RequestRecord> errors = records.stream().filter(r -> r.kind() == RequestRecord.Kind.ERROR).toList();
            long errorsBefore = errors.stream().filter(r -> end(r) < faultStart).count();
            long lastErrorEnd = errors.stream().mapToLong(FaultRunner::end).max().orElse(faultEnd);
            long errorsEndAfterReturn = Math.max(0, lastErrorEnd - faultEnd);
            long firstOkAfterReturn = records.stream()
                    .filter(r -> r.kind() == RequestRecord.Kind.OK && r.startMillis() >= faultEnd)
                    .mapToLong(r -> end(r) - faultEnd).min().orElse(-1);
            long unnamed = errors.stream().filter(r -> !isConnectionCause(r.cause())).count();
            long slowest = records.stream().mapToLong(r -> r.latencyMicros() / 1000).max().orElse(0);
            List<Call> sweep = sweep(fixed);
            Map<String, Long> answers = new TreeMap<>();
            records.forEach(r -> answers.merge(key(r), 1L, Long::sum));

            List<Check> checks = List.of(
                    check("no error before the restart", errorsBefore == 0, errorsBefore + " errors"),
                    check("errors end within " + RECOVERY_LIMIT_MILLIS + " ms of the return",
                            errorsEndAfterReturn <= RECOVERY_LIMIT_MILLIS, errorsEndAfterReturn + " ms"),
                    check("a request sent after the return got 200", firstOkAfterReturn >= 0,
                            firstOkAfterReturn + " ms after the return"),
                    check("every error names a connection cause (no 500, no Lambda timeout)", unnamed == 0,
                            unnamed + " others: " + answers),
                    check("no answer took longer than the function timeout", slowest < FUNCTION_TIMEOUT_MILLIS,
                            slowest + " ms"),
                    check("afterwards every environment answers 200 without a cold start",
                            !sweep.isEmpty() && sweep.stream().allMatch(c -> c.status() == 200 && !c.coldStart()),
                            sweep.size() + " environments: " + answers(sweep)));
            Map<String, Number> measurements = new LinkedHashMap<>();
            measurements.put("requests", records.size());
            measurements.put("errors", errors.size());
            measurements.put("outageMillis", faultEnd - faultStart);
            measurements.put("errorsEndAfterReturnMillis", errorsEndAfterReturn);
            measurements.put("firstOkAfterReturnMillis", firstOkAfterReturn);
            measurements.put("slowestAnswerMillis", slowest);
            measurements.put("environments", sweep.size());
            String errorsText = errors.isEmpty() ? "0 errors" : errors.size() + " errors ("
                    + answers.entrySet().stream().filter(e -> !e.getKey().equals("200"))
                            .map(e -> e.getValue() + " × " + e.getKey()).collect(Collectors.joining(", ")) + ")";
            String callerSaw = errorsText + " of " + records.size() + " requests during a " + (faultEnd - faultStart)
                    + " ms outage; slowest answer " + slowest + " ms";
            String recovery = (errors.isEmpty() ? "no error; " : errorsEndAfterReturn == 0
                    ? "no error after the return (only requests in flight failed); "
                    : "errors ended " + errorsEndAfterReturn + " ms after the return; ")
                    + "first 200 " + firstOkAfterReturn + " ms after it; all " + sweep.size() + " environments healthy";
            return new FaultResult(fault, null, callerSaw, recovery, answers, measurements, checks, logOf(fixed), bodies());
        } finally {
            if (proxy != null) {
                proxy.close();
            }
        }
    }

    private static boolean isConnectionCause(String cause) {
        return cause != null && (cause.equals("CONNECTION_LOST") || cause.equals("CONNECTION_REFUSED")
                || cause.equals("POOL_TIMEOUT") || cause.equals("PROXY_WAIT_TIMEOUT") || cause.equals("CONNECT_TIMEOUT"));
    }

    // ---------------------------------------------------------------- database absent at a cold start

    private FaultResult databaseAbsentAtColdStart(Fault fault, TcpRelay.Mode mode) throws InterruptedException {
        try (TcpRelay relay = new TcpRelay(testBed.server().host(), testBed.server().port()).withMode(mode).start();
                EmulatedFunction fixed = fixed(relayEnvironment(relay))) {
            Call first = call(fixed, 0);
            Call second = call(fixed, 0);
            relay.setMode(TcpRelay.Mode.FORWARD);
            long up = System.nanoTime();
            int callsUntilRecovered = 0;
            Call recovered;
            do {
                recovered = call(fixed, 0);
                callsUntilRecovered++;
                if (recovered.status() != 200) {
                    sleep(Duration.ofMillis(100));
                }
            } while (recovered.status() != 200 && millisSince(up) < 20_000);
            long recoveryMillis = millisSince(up);
            long initErrors = fixed.metrics().initErrors();
            String expected = mode == TcpRelay.Mode.REFUSE ? "CONNECTION_REFUSED" : "POOL_TIMEOUT";
            Map<String, Long> answers = answers(List.of(first, second, recovered));
            List<Check> checks = List.of(
                    check("the cold start answered 503 naming " + expected,
                            first.status() == 503 && first.detail().contains(expected), first.key()),
                    check("within the pool timeout, far inside the function timeout",
                            first.latencyMillis() < POOL_TIMEOUT_MILLIS + 2_000, first.latencyMillis() + " ms"),
                    check("the environment initialised anyway (no init error)", initErrors == 0 && first.coldStart(),
                            initErrors + " init errors"),
                    check("the next call reused that environment", !second.coldStart()
                            && second.environmentId().equals(first.environmentId()), second.key()),
                    check("the same environment answered 200 once the database was back",
                            recovered.status() == 200 && recovered.environmentId().equals(first.environmentId()),
                            recovered.key() + " after " + recoveryMillis + " ms"),
                    check("recovered within " + COLD_START_RECOVERY_LIMIT_MILLIS + " ms (HikariCP's retry backoff"
                            + " reaches 5 s)", recoveryMillis <= COLD_START_RECOVERY_LIMIT_MILLIS, recoveryMillis + " ms"));
            Map<String, Number> measurements = new LinkedHashMap<>();
            measurements.put("firstAnswerMillis", first.latencyMillis());
            measurements.put("recoveryMillis", recoveryMillis);
            measurements.put("callsUntilRecovered", callsUntilRecovered);
            measurements.put("initErrors", initErrors);
            return new FaultResult(fault, null, first.key() + " after " + first.latencyMillis()
                    + " ms (the environment stays)",
                    "200 from the same environment " + recoveryMillis + " ms after the database came back",
                    answers, measurements, checks, logOf(fixed), bodies());
        }
    }

    private Map<String, String> relayEnvironment(TcpRelay relay) {
        return testBed.environment(null, Map.of("DB_HOST", relay.host(), "DB_PORT", Integer.toString(relay.port())));
    }

    // ---------------------------------------------------------------- credentials rotated

    private FaultResult credentialsRotated() throws InterruptedException {
        LabDatabase lab = testBed.lab();
        String secretId = "lab/app-" + UUID.randomUUID().toString().substring(0, 8);
        String rotated = "rotated-" + UUID.randomUUID().toString().replace("-", "");
        String unsynced = "unsynced-" + UUID.randomUUID().toString().replace("-", "");
        secretsUsed.add(rotated);
        secretsUsed.add(unsynced);
        try (LocalSecretsManager secrets = new LocalSecretsManager().start()) {
            secretsUsed.add(secrets.secretAccessKey());
            secrets.putSecret(secretId, secretJson(lab.appPassword()));
            Map<String, String> environment = testBed.environment(null, Map.of());
            environment.remove("DB_USER"); // the secret names the user and holds the password
            environment.remove("DB_PASSWORD");
            environment.put("DB_AUTH", "secrets-manager");
            environment.put("DB_SECRET_ARN", secretId);
            environment.putAll(secrets.functionEnvironment());
            try (EmulatedFunction fixed = fixed(environment)) {
                Call warm = call(fixed, 0);
                int readsAtInit = secrets.reads(secretId);

                // The rotation: the role and the secret get the new password together, as the rotation
                // function does. Open sessions survive a password change, so the pool's connection is
                // retired, as maxLifetime would retire it.
                lab.setAppPassword(rotated);
                secrets.putSecret(secretId, secretJson(rotated));
                testBed.lab().terminateAppConnections();
                sleep(Duration.ofMillis(700));
                Call afterRotation = call(fixed, 0);
                int readsAfterRotation = secrets.reads(secretId);

                // Half a rotation: the role's password changes, the secret does not. The pool keeps retrying
                // its login, but the secret is not read again within the 30 s limit.
                lab.setAppPassword(unsynced);
                testBed.lab().terminateAppConnections();
                sleep(Duration.ofMillis(700));
                Call unsyncedCall = call(fixed, 0);
                int readsAfterUnsynced = secrets.reads(secretId);

                Map<String, Long> answers = answers(List.of(warm, afterRotation, unsyncedCall));
                List<Check> checks = List.of(
                        check("warm-up answered 200 with the secret read once", warm.status() == 200
                                && readsAtInit == 1, warm.key() + ", " + readsAtInit + " reads"),
                        check("after the rotation the same environment answered 200", afterRotation.status() == 200
                                && !afterRotation.coldStart()
                                && afterRotation.environmentId().equals(warm.environmentId()), afterRotation.key()),
                        check("the secret was read again exactly once", readsAfterRotation == 2,
                                readsAfterRotation + " reads in all"),
                        check("a password the secret does not hold gives 503 naming AUTHENTICATION",
                                unsyncedCall.status() == 503 && unsyncedCall.detail().contains("AUTHENTICATION"),
                                unsyncedCall.key()),
                        check("and no further read of the secret (at most one per 30 s)",
                                readsAfterUnsynced == readsAfterRotation, readsAfterUnsynced + " reads in all"),
                        check("the endpoint saw only signed requests", secrets.rejectedRequests() == 0,
                                secrets.rejectedRequests() + " rejected"));
                Map<String, Number> measurements = new LinkedHashMap<>();
                measurements.put("secretReads", readsAfterUnsynced);
                measurements.put("firstAnswerAfterRotationMillis", afterRotation.latencyMillis());
                measurements.put("unsyncedAnswerMillis", unsyncedCall.latencyMillis());
                return new FaultResult(Fault.CREDENTIALS_ROTATED, null,
                        "0 errors after the rotation (" + afterRotation.key() + " in " + afterRotation.latencyMillis()
                                + " ms); a password the secret lacks: " + unsyncedCall.key(),
                        "within the request: the rejected login (28P01) read the secret again once and retried"
                                + " (" + readsAfterRotation + " reads in all)",
                        answers, measurements, checks, logOf(fixed), bodies());
            }
        } finally {
            lab.setAppPassword(lab.appPassword());
        }
    }

    private String secretJson(String password) {
        // The RDS secret format SecretTargetAttachment writes; the host is the instance.
        return JSON.createObjectNode().put("username", LabDatabase.APP_ROLE).put("password", password)
                .put("engine", "postgres").put("host", testBed.server().host()).put("port", testBed.server().port())
                .put("dbname", LabDatabase.DATABASE).toString();
    }

    // ---------------------------------------------------------------- function timeouts

    private FaultResult functionTimeoutDirect() throws InterruptedException {
        LabDatabase lab = testBed.lab();
        lab.setAppRoleSetting("idle_session_timeout", "2s");
        try (EmulatedFunction fixed = fixed(testBed.environment(null, Map.of())).withTimeout(Duration.ofSeconds(1))) {
            Call warm = call(fixed, 0);
            Call timedOut = call(fixed, 2500);
            long timedOutAt = System.nanoTime();
            boolean stillThere = backendState(warm.backendPid()).isPresent();
            Call next = call(fixed, 0);
            int heldByDead = fixed.metrics().connectionsHeldByDeadEnvironments();
            boolean dropped = await(Duration.ofSeconds(10), () -> backendState(warm.backendPid()).isEmpty());
            long droppedAfter = millisSince(timedOutAt);
            sleep(Duration.ofMillis(1500)); // the discarded pool's housekeeping would now try to refill
            int reconnected = lab.connectionsOfEnvironment(warm.environmentId());
            Map<String, Long> answers = answers(List.of(warm, timedOut, next));
            List<Check> checks = List.of(
                    check("the caller got Lambda's timeout", timedOut.detail().startsWith("TIMEOUT"), timedOut.key()),
                    check("the next call got 200 from a new environment", next.status() == 200 && next.coldStart()
                            && !next.environmentId().equals(warm.environmentId()), next.key()),
                    check("the dead environment's connection stayed on the server (the leak)",
                            stillThere && heldByDead == 1, heldByDead + " held by dead environments"),
                    check("the server dropped it (idle_session_timeout)", dropped, droppedAfter + " ms after the timeout"),
                    check("the discarded pool never reconnected", reconnected == 0, reconnected + " connections"));
            Map<String, Number> measurements = new LinkedHashMap<>();
            measurements.put("leakedConnections", heldByDead);
            measurements.put("leakReclaimedAfterMillis", droppedAfter);
            return new FaultResult(Fault.FUNCTION_TIMEOUT_HOLDING_CONNECTION, null,
                    "500 (Lambda: " + Optional.ofNullable(timedOut.errorMessage()).orElse("timed out")
                            + "), then 200 from a new environment",
                    "next call 200 (cold start); the leaked connection stayed " + droppedAfter
                            + " ms, until the server's idle_session_timeout",
                    answers, measurements, checks, logOf(fixed), bodies());
        } finally {
            lab.setAppRoleSetting("idle_session_timeout", "0");
        }
    }

    private FaultResult functionTimeoutBehindProxy() throws InterruptedException {
        Duration idleTimeout = Duration.ofSeconds(3);
        try (Proxy proxy = testBed.startProxy(testBed.proxyDefaults().withIdleClientTimeout(idleTimeout));
                EmulatedFunction fixed = fixed(testBed.environment(proxy, Map.of()))
                        .withTimeout(Duration.ofSeconds(1))) {
            Call warm = call(fixed, 0);
            Call timedOut = call(fixed, 2500);
            long timedOutAt = System.nanoTime();
            Call next = call(fixed, 0);
            int clientsAfter = pools(proxy).clients();
            boolean serverFreed = await(Duration.ofSeconds(10), () -> pools(proxy).serverActive() == 0);
            long serverFreedAfter = millisSince(timedOutAt);
            boolean clientsClosed = await(Duration.ofSeconds(15), () -> pools(proxy).clients() == 0);
            long clientsClosedAfter = millisSince(timedOutAt);
            Map<String, Long> answers = answers(List.of(warm, timedOut, next));
            List<Check> checks = List.of(
                    check("the caller got Lambda's timeout", timedOut.detail().startsWith("TIMEOUT"), timedOut.key()),
                    check("the next call got 200 from a new environment", next.status() == 200 && next.coldStart(),
                            next.key()),
                    check("the proxy held the dead environment's client and the new one's", clientsAfter == 2,
                            clientsAfter + " clients"),
                    check("the database connection went back to the proxy's pool when the query ended",
                            serverFreed && serverFreedAfter < 4_000, serverFreedAfter + " ms after the timeout"),
                    check("the proxy closed the leaked client (IdleClientTimeout)", clientsClosed,
                            clientsClosedAfter + " ms after the timeout"));
            Map<String, Number> measurements = new LinkedHashMap<>();
            measurements.put("proxyClientsAfterTimeout", clientsAfter);
            measurements.put("databaseConnectionFreedAfterMillis", serverFreedAfter);
            measurements.put("leakedClientClosedAfterMillis", clientsClosedAfter);
            return new FaultResult(Fault.FUNCTION_TIMEOUT_BEHIND_PROXY, null,
                    "500 (Lambda timeout), then 200 from a new environment",
                    "the database connection was back in the proxy's pool " + serverFreedAfter
                            + " ms after the timeout (when the query ended); the leaked client closed after "
                            + clientsClosedAfter + " ms",
                    answers, measurements, checks, logOf(fixed), bodies());
        }
    }

    // ---------------------------------------------------------------- slow queries

    private FaultResult slowQuery(Fault fault, int queryTimeoutSeconds, int socketTimeoutSeconds)
            throws InterruptedException {
        Map<String, String> settings = Map.of("DB_QUERY_TIMEOUT_S", Integer.toString(queryTimeoutSeconds),
                "DB_SOCKET_TIMEOUT_S", Integer.toString(socketTimeoutSeconds));
        try (EmulatedFunction fixed = fixed(testBed.environment(null, settings))) {
            Call warm = call(fixed, 0);
            long slowSent = System.nanoTime();
            Call slow = call(fixed, 2500);
            Call next = call(fixed, 0);
            boolean cancelled = queryTimeoutSeconds > 0;
            boolean oldBackendIdleOrGone = await(Duration.ofSeconds(5), () -> backendState(warm.backendPid())
                    .map("idle"::equals).orElse(true));
            long oldBackendSettledAfter = millisSince(slowSent);
            Optional<String> oldBackend = backendState(warm.backendPid());
            Map<String, Long> answers = answers(List.of(warm, slow, next));
            long limit = (cancelled ? queryTimeoutSeconds : socketTimeoutSeconds) * 1000L;
            List<Check> checks = new ArrayList<>(List.of(
                    check("the caller got 503 QUERY_TIMEOUT" + (cancelled ? " with SQLState 57014" : ""),
                            slow.status() == 503 && slow.detail().startsWith("QUERY_TIMEOUT")
                                    && (!cancelled || "57014".equals(slow.sqlState())),
                            slow.key() + " " + slow.sqlState()),
                    check("after the " + limit + " ms limit, well before the 2500 ms query would end",
                            slow.latencyMillis() >= limit - 100 && slow.latencyMillis() < limit + 1_000,
                            slow.latencyMillis() + " ms"),
                    check("the next call got 200 from the same environment", next.status() == 200
                            && next.environmentId().equals(warm.environmentId()), next.key())));
            if (cancelled) {
                checks.add(check("on the same connection: the cancelled one went back healthy",
                        next.backendPid() == warm.backendPid(), "backend " + warm.backendPid() + " then "
                                + next.backendPid()));
                checks.add(check("the server stopped the query at once", oldBackendIdleOrGone
                        && oldBackend.isPresent(), "backend " + oldBackend.orElse("gone")));
            } else {
                checks.add(check("on a new connection: the timed-out one was evicted, never handed out again",
                        next.backendPid() != warm.backendPid(), "backend " + warm.backendPid() + " then "
                                + next.backendPid()));
                checks.add(check("the abandoned backend ended when its query did", oldBackendIdleOrGone
                        && oldBackend.isEmpty(), "gone " + oldBackendSettledAfter + " ms after the request"));
            }
            Map<String, Number> measurements = new LinkedHashMap<>();
            measurements.put("errorAnswerMillis", slow.latencyMillis());
            measurements.put("oldBackendSettledAfterMillis", oldBackendSettledAfter);
            measurements.put("sameConnectionAfter", next.backendPid() == warm.backendPid() ? 1 : 0);
            String recovery = cancelled
                    ? "none needed: the next call ran on the same connection (the server cancelled the query)"
                    : "the next call got 200 on a new connection; the abandoned query ran on the server until it"
                            + " ended (" + oldBackendSettledAfter + " ms)";
            return new FaultResult(fault, null, slow.key() + " after " + slow.latencyMillis() + " ms", recovery,
                    answers, measurements, checks, logOf(fixed), bodies());
        }
    }

    // ---------------------------------------------------------------- helpers

    private EmulatedFunction fixed(Map<String, String> environment) {
        return testBed.function(Variant.FIXED, environment);
    }

    /** One call, as the caller saw it. */
    record Call(int status, String detail, String sqlState, String errorMessage, String environmentId,
            int backendPid, boolean coldStart, long latencyMillis) {

        /** {@code 200}, {@code 503 POOL_TIMEOUT (CONNECTION_REFUSED)}, {@code 500 TIMEOUT}. */
        String key() {
            return status == 200 ? "200" : status + " " + detail;
        }
    }

    private Call call(EmulatedFunction function, int holdMillis) {
        long start = System.nanoTime();
        Invocation invocation = function.invoke(HttpApiEvents.get(Variant.FIXED.path(), holdMillis));
        long latencyMicros = (System.nanoTime() - start) / 1000;
        HttpApiGateway.Answer answer = HttpApiGateway.answer(invocation);
        keepBody(answer);
        RequestRecord record = RequestRecord.of(invocation, answer, 0, latencyMicros);
        String sqlState = null;
        try {
            JsonNode body = JSON.readTree(answer.body().isEmpty() ? "{}" : answer.body());
            sqlState = body.path("error").path("sqlState").asText(null);
        } catch (IOException e) {
            // not the handler's JSON (a Lambda error): no SQLState
        }
        return new Call(record.status(), record.detail() == null ? "" : record.detail(), sqlState,
                invocation.errorMessage(), invocation.environmentId(), record.backendPid(), invocation.coldStart(),
                latencyMicros / 1000);
    }

    /** Keeps every error answer's body and the first 20 of the 200s, for the leak check. */
    private void keepBody(HttpApiGateway.Answer answer) {
        if (answer.status() != 200 || okBodies.incrementAndGet() <= 20) {
            bodies.add(answer.body());
        }
    }

    private List<String> bodies() {
        return List.copyOf(bodies);
    }

    private List<Call> concurrently(EmulatedFunction function, int callers, int holdMillis)
            throws InterruptedException {
        ExecutorService executor = Executors.newFixedThreadPool(callers);
        try {
            List<Future<Call>> futures = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                futures.add(executor.submit(() -> call(function, holdMillis)));
            }
            List<Call> calls = new ArrayList<>();
            for (Future<Call> future : futures) {
                calls.add(get(future));
            }
            return calls;
        } finally {
            executor.shutdownNow();
        }
    }

    /** One concurrent call per idle environment: each lands on a different one. */
    private List<Call> sweep(EmulatedFunction function) throws InterruptedException {
        int idle = function.metrics().environmentsIdle();
        return idle == 0 ? List.of() : concurrently(function, idle, 0);
    }

    private static <T> T get(Future<T> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a caller failed: " + e.getCause(), e.getCause());
        }
    }

    private static long environmentsOf(List<Call> calls) {
        return calls.stream().map(Call::environmentId).filter(Objects::nonNull).distinct().count();
    }

    private static Map<String, Long> answers(List<Call> calls) {
        Map<String, Long> answers = new TreeMap<>();
        calls.forEach(call -> answers.merge(call.key(), 1L, Long::sum));
        return answers;
    }

    private static String key(RequestRecord record) {
        return record.kind() == RequestRecord.Kind.OK ? "200" : record.status() + " " + record.detail();
    }

    private static long end(RequestRecord record) {
        return record.startMillis() + record.latencyMicros() / 1000;
    }

    private static Check check(String name, boolean passed, String measured) {
        return new Check(name, passed, measured);
    }

    private static List<String> logOf(EmulatedFunction function) {
        List<String> lines = new ArrayList<>();
        for (FunctionLog.Line line : function.log().lines()) {
            lines.add(line.text());
        }
        return lines;
    }

    private static PoolsSnapshot pools(Proxy proxy) {
        try {
            return proxy.pools();
        } catch (IOException e) {
            throw new IllegalStateException("the proxy did not answer: " + e.getMessage(), e);
        }
    }

    /** The backend's state in pg_stat_activity ({@code idle}, {@code active}), empty when it is gone. */
    private Optional<String> backendState(int pid) {
        try (Connection monitor = testBed.lab().monitorConnection();
                PreparedStatement statement = monitor.prepareStatement(
                        "SELECT state FROM pg_stat_activity WHERE pid = ?")) {
            statement.setInt(1, pid);
            try (ResultSet row = statement.executeQuery()) {
                return row.next() ? Optional.ofNullable(row.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read pg_stat_activity: " + e.getMessage(), e);
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

    private static void sleep(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
