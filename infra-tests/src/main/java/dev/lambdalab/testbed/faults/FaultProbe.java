package dev.lambdalab.testbed.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdalab.db.Setting;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.apigw.HttpApiEvents;
import dev.lambdalab.testbed.apigw.HttpApiGateway;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.Invocation;
import dev.lambdalab.testbed.lambda.sandbox.FunctionLog;
import dev.lambdalab.testbed.load.RequestRecord;
import dev.lambdalab.testbed.proxy.PoolsSnapshot;
import dev.lambdalab.testbed.proxy.Proxy;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * What every {@link FaultExperiment} uses to act and to look: the fixed function on the test bed, calls as the
 * caller sees them, the server's view of a backend, the proxy's pools. It keeps the answers' bodies of one
 * fault for the leak check, and starts each fault's result with the function's log and those bodies.
 */
final class FaultProbe {

    /** The fixed function's pool timeout, from the settings catalogue: a 503 comes within it. */
    static final long POOL_TIMEOUT_MILLIS = Long.parseLong(Setting.POOL_TIMEOUT_MS.defaultValue());

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Every error body is kept, and this many 200 bodies. */
    private static final int OK_BODIES_KEPT = 20;

    private final TestBed testBed;
    private final Consumer<String> progress;
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final List<String> secretsUsed = new CopyOnWriteArrayList<>();
    private final AtomicInteger okBodies = new AtomicInteger();

    FaultProbe(TestBed testBed, Consumer<String> progress) {
        this.testBed = Objects.requireNonNull(testBed, "testBed");
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    /** Remembers a password or key the experiment made up, so the leak check searches all output for it. */
    void secretUsed(String secret) {
        secretsUsed.add(Objects.requireNonNull(secret, "secret"));
    }

    List<String> secretsUsed() {
        return List.copyOf(secretsUsed);
    }

    /** Tells the user what is happening (the CLI prints it). */
    void progress(String line) {
        progress.accept(line);
    }

    TestBed testBed() {
        return testBed;
    }

    /** The fixed function with these variables (see {@link TestBed#environment}). */
    EmulatedFunction fixed(Map<String, String> environment) {
        return testBed.function(Variant.FIXED, environment);
    }

    /** A result for this fault, carrying the function's log and the bodies kept so far. */
    FaultResult.Builder result(Fault fault, EmulatedFunction function) {
        List<String> log = new ArrayList<>();
        for (FunctionLog.Line line : function.log().lines()) {
            log.add(line.text());
        }
        return FaultResult.of(fault).log(log).bodies(List.copyOf(bodies));
    }

    /** One call whose query holds its connection for {@code holdMillis}. */
    Call call(EmulatedFunction function, int holdMillis) {
        long start = System.nanoTime();
        Invocation invocation = function.invoke(HttpApiEvents.get(Variant.FIXED.path(), holdMillis));
        long latencyMicros = (System.nanoTime() - start) / 1000;
        HttpApiGateway.Answer answer = HttpApiGateway.answer(invocation);
        keepBody(answer);
        RequestRecord record = RequestRecord.of(invocation, answer, 0, latencyMicros);
        return new Call(record.status(), record.detail() == null ? "" : record.detail(), sqlState(answer.body()),
                invocation.errorMessage(), invocation.environmentId(), record.backendPid(), invocation.coldStart(),
                latencyMicros / 1000);
    }

    private static String sqlState(String body) {
        try {
            JsonNode json = JSON.readTree(body.isEmpty() ? "{}" : body);
            return json.path("error").path("sqlState").asText(null);
        } catch (IOException e) {
            return null; // not the handler's JSON (a Lambda error): no SQLState
        }
    }

    /** Keeps every error answer's body and the first few of the 200s, for the leak check. */
    void keepBody(HttpApiGateway.Answer answer) {
        if (answer.status() != 200 || okBodies.incrementAndGet() <= OK_BODIES_KEPT) {
            bodies.add(answer.body());
        }
    }

    /** {@code callers} calls at once. */
    List<Call> concurrently(EmulatedFunction function, int callers, int holdMillis) throws InterruptedException {
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
    List<Call> sweep(EmulatedFunction function) throws InterruptedException {
        int idle = function.metrics().environmentsIdle();
        return idle == 0 ? List.of() : concurrently(function, idle, 0);
    }

    /** The backend's state in pg_stat_activity ({@code idle}, {@code active}), empty when it is gone. */
    Optional<String> backendState(int pid) {
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

    /** The proxy's clients and server connections now. */
    static PoolsSnapshot pools(Proxy proxy) {
        try {
            return proxy.pools();
        } catch (IOException e) {
            throw new IllegalStateException("the proxy did not answer: " + e.getMessage(), e);
        }
    }

    static <T> T get(Future<T> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a caller failed: " + e.getCause(), e.getCause());
        }
    }

    /** Polls every 50 ms until the condition holds or the timeout passes; says whether it held. */
    static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return condition.getAsBoolean();
    }

    static void sleep(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }

    static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
