package dev.lambdalab.testbed.bench;

import dev.lambdalab.db.Setting;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.apigw.HttpApiEvents;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.Invocation;
import dev.lambdalab.testbed.load.Load;
import dev.lambdalab.testbed.load.LoadDriver;
import dev.lambdalab.testbed.load.LoadResult;
import dev.lambdalab.testbed.proxy.Proxy;
import dev.lambdalab.testbed.proxy.ProxyKind;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.rdsproxy.RdsProxyEmulator;
import dev.lambdalab.testbed.scenario.ConnectionSampler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * A storm of cold starts against the fixed function behind the proxy, at a given concurrency: what the
 * {@link StormModel} predicts and what happens. Also counts what one new connection costs at the proxy.
 */
public final class StormBenchmark {

    /** Client connections the proxy accepts in a storm: more than the largest sweep, so its limit never decides. */
    static final int MAX_CLIENTS = 2_500;

    /** New environments that join a saturated proxy in each storm. */
    public static final int NEW_ENVIRONMENTS = 10;

    /** The role's connection limit; the proxy gets MaxConnectionsPercent (50 %) of it. */
    public static final int ROLE_LIMIT = 10;

    private StormBenchmark() {
    }

    /**
     * Database connections the proxy lent to one environment's requests, counted by the RDS Proxy emulator.
     *
     * @param coldStart the first request of a new environment: its connection's setup and its query
     * @param warm the next request, straight after
     * @param warmAfterIdle a request after the connection sat idle longer than HikariCP's 500 ms
     *     aliveBypassWindowMs, which HikariCP validates before lending it
     * @param sessionsPinned sessions the proxy pinned meanwhile (a SET at connection setup would pin each)
     */
    public record SetupCost(int coldStart, int warm, int warmAfterIdle, long sessionsPinned) {

        /** Statements of a new connection's setup that need a database connection at the proxy. */
        public int setupStatements() {
            return coldStart - warm;
        }
    }

    /**
     * One storm.
     *
     * @param callers callers at the proxy: the warm ones that keep it saturated and the new environments' ones
     * @param coldStarts new environments
     * @param coldOk their requests answered 200
     * @param coldErrors their errors by cause
     * @param warmOk the warm callers' requests answered 200 while the new environments started
     * @param warmErrors the warm callers' errors by cause
     * @param warmP50Millis the warm callers' median latency: the model's wait plus the hold
     * @param predictedWaitMillis the wait for a database connection the model gives at this concurrency
     * @param predictedToHold whether the model says every cold start fits its timeouts
     */
    public record Step(int callers, long coldStarts, long coldOk, Map<String, Long> coldErrors, long warmOk,
            Map<String, Long> warmErrors, int peakDbConnections, double warmP50Millis, double predictedWaitMillis,
            boolean predictedToHold) {

        public boolean held() {
            return coldErrors.isEmpty() && warmErrors.isEmpty();
        }
    }

    /** The model for the fixed function's defaults behind a proxy with the test bed's defaults. */
    public static StormModel model(int holdMillis, int setupStatements) {
        return new StormModel(ProxySettings.DEFAULTS.databaseConnections(ROLE_LIMIT),
                holdMillis, Integer.parseInt(Setting.POOL_TIMEOUT_MS.defaultValue()),
                (int) ProxySettings.DEFAULTS.connectionBorrowTimeout().toMillis(), setupStatements);
    }

    /** Counts, with the RDS Proxy emulator, the database connections one environment's requests borrow. */
    public static SetupCost setupCost(TestBed testBed) throws InterruptedException {
        try (Proxy proxy = testBed.startProxy(ProxyKind.RDS_PROXY, ProxySettings.DEFAULTS);
                EmulatedFunction fixed = testBed.function(Variant.FIXED, testBed.environment(proxy, Map.of()))) {
            RdsProxyEmulator emulator = (RdsProxyEmulator) proxy;
            int cold = borrows(emulator, fixed);
            int warm = borrows(emulator, fixed);
            Thread.sleep(700); // past HikariCP's aliveBypassWindowMs (500 ms)
            int idle = borrows(emulator, fixed);
            return new SetupCost(cold, warm, idle, emulator.metrics().sessionsPinned());
        } finally {
            testBed.resetConnections();
        }
    }

    private static int borrows(RdsProxyEmulator emulator, EmulatedFunction fixed) {
        long before = emulator.metrics().borrows();
        Invocation invocation = fixed.invoke(HttpApiEvents.get("/fixed", 0));
        if (!invocation.succeeded()) {
            throw new IllegalStateException("the fixed function failed while its setup was being counted: " + invocation);
        }
        return (int) (emulator.metrics().borrows() - before);
    }

    /**
     * Storms at each concurrency of {@code callers} (ascending), reported to {@code onStep} as they end.
     *
     * <p>Saturated (the model's case): one function's warm callers, {@code callers - NEW_ENVIRONMENTS} of
     * them, keep the proxy's queue full; once it is, {@link #NEW_ENVIRONMENTS} callers of a second function
     * with no environment yet make two requests each, so every new environment connects behind a full queue.
     * The warm function lives through the sweep, so each storm adds only the warm environments the last one
     * lacked. All cold (the seed's autocannon case): {@code callers} callers at once against a function with
     * no environment, each new environment connecting while the others still start.
     */
    public static List<Step> sweep(TestBed testBed, StormModel model, List<Integer> callers, boolean allCold,
            Consumer<Step> onStep) throws Exception {
        int most = callers.stream().mapToInt(Integer::intValue).max().orElse(0);
        ProxySettings settings = ProxySettings.DEFAULTS.withMaxClientConnections(MAX_CLIENTS);
        List<Step> steps = new ArrayList<>();
        try (Proxy proxy = testBed.startProxy(settings);
                EmulatedFunction warm = function(testBed, proxy, most)) {
            for (int n : callers) {
                Step step;
                try (EmulatedFunction cold = function(testBed, proxy, most)) {
                    step = allCold ? allCold(testBed, proxy, cold, model, n) : saturated(testBed, proxy, warm, cold,
                            model, n);
                }
                steps.add(step);
                onStep.accept(step);
            }
            return steps;
        } finally {
            testBed.resetConnections();
        }
    }

    private static Step allCold(TestBed testBed, Proxy proxy, EmulatedFunction cold, StormModel model, int callers)
            throws InterruptedException {
        try (ConnectionSampler sampler = new ConnectionSampler(testBed.lab(), proxy, Duration.ofMillis(50))) {
            sampler.start();
            LoadResult result = new LoadDriver(cold::invoke, Variant.FIXED.path())
                    .run(Load.closedLoop(callers, 2 * callers, model.holdMillis()));
            sampler.stop();
            return new Step(callers, cold.metrics().environmentsCreated(), result.ok(), result.errorsByCause(), 0,
                    Map.of(), sampler.peakDatabaseConnections(), Double.NaN, model.waitMillis(callers),
                    model.holds(callers));
        }
    }

    private static Step saturated(TestBed testBed, Proxy proxy, EmulatedFunction warm, EmulatedFunction cold,
            StormModel model, int callers) throws Exception {
        int warmCallers = Math.max(1, callers - NEW_ENVIRONMENTS);
        int newCallers = callers - warmCallers;
        long waitMillis = (long) model.waitMillis(callers);
        // Long enough for the warm callers' own cold starts and for the queue to fill; then the new
        // environments' whole setup (up to the pool's timeout) and their second requests.
        Duration fill = Duration.ofMillis(3_000 + 2 * waitMillis);
        Duration total = fill.plusMillis(model.poolTimeoutMillis() + 2 * waitMillis + 3_000);
        ExecutorService background = Executors.newSingleThreadExecutor();
        try (ConnectionSampler sampler = new ConnectionSampler(testBed.lab(), proxy, Duration.ofMillis(50))) {
            Future<LoadResult> saturating = background.submit(() -> new LoadDriver(warm::invoke, Variant.FIXED.path())
                    .run(Load.forDuration(warmCallers, total, model.holdMillis())));
            Thread.sleep(fill.toMillis());
            sampler.start();
            LoadResult joining = new LoadDriver(cold::invoke, Variant.FIXED.path())
                    .run(Load.closedLoop(newCallers, 2 * newCallers, model.holdMillis()));
            LoadResult saturated = saturating.get();
            sampler.stop();
            return new Step(callers, cold.metrics().environmentsCreated(), joining.ok(), joining.errorsByCause(),
                    saturated.ok(), saturated.errorsByCause(), sampler.peakDatabaseConnections(),
                    saturated.latencyMillis(50), model.waitMillis(callers), model.holds(callers));
        } finally {
            background.shutdownNow();
        }
    }

    private static EmulatedFunction function(TestBed testBed, Proxy proxy, int callers) {
        return testBed.function(Variant.FIXED, testBed.environment(proxy, Map.of()))
                .withAccountConcurrency(Math.max(1000, callers + 10));
    }
}
