package dev.lambdalab.testbed.bench;

import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.apigw.HttpApiEvents;
import dev.lambdalab.testbed.bench.noop.NoOpHandler;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.FunctionMetrics;
import dev.lambdalab.testbed.lambda.Invocation;
import dev.lambdalab.testbed.lambda.sandbox.EmulatedContext;
import dev.lambdalab.testbed.lambda.sandbox.FunctionCode;
import dev.lambdalab.testbed.lambda.sandbox.FunctionLog;
import dev.lambdalab.testbed.load.Load;
import dev.lambdalab.testbed.load.LoadDriver;
import dev.lambdalab.testbed.load.LoadResult;
import dev.lambdalab.testbed.proxy.Proxy;
import dev.lambdalab.testbed.proxy.ProxySettings;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The test bed's performance targets, measured: emulator overhead per warm invocation, environments one
 * JVM holds at once, and the fixed/proxy path's throughput against its physical limit.
 */
public final class Benchmarks {

    private Benchmarks() {
    }

    /**
     * Overhead of a warm invocation of a no-op handler: {@code invoke()} to return, which covers the
     * concurrency bookkeeping, the hand-off to the environment's runtime thread and back, and the Context.
     *
     * @param medianMicros median time per invocation
     * @param p99Micros 99th percentile
     * @param directCallNanos the same handler called directly, for reference
     */
    public record Overhead(int invocations, double medianMicros, double p90Micros, double p99Micros,
            double directCallNanos) {
    }

    public static Overhead overhead(int invocations) {
        try (EmulatedFunction function = new EmulatedFunction("noop", NoOpHandler.class.getName())
                .withCode(FunctionCode.ofPackages("dev.lambdalab.testbed.bench.noop"))) {
            Object event = Map.of("ping", 1);
            for (int i = 0; i < 20_000; i++) { // warm up: JIT, the environment
                function.invoke(event);
            }
            long[] nanos = new long[invocations];
            for (int i = 0; i < invocations; i++) {
                long start = System.nanoTime();
                Invocation invocation = function.invoke(event);
                nanos[i] = System.nanoTime() - start;
                if (!invocation.succeeded()) {
                    throw new IllegalStateException("no-op invocation failed: " + invocation);
                }
            }
            Arrays.sort(nanos);
            NoOpHandler direct = new NoOpHandler();
            EmulatedContext context = EmulatedContext.direct("noop", 1000, new FunctionLog(16));
            long directStart = System.nanoTime();
            Object sink = null;
            for (int i = 0; i < 1_000_000; i++) {
                sink = direct.handleRequest(event, context);
            }
            double directNanos = (System.nanoTime() - directStart) / 1_000_000.0;
            if (sink == null) {
                throw new IllegalStateException("unreachable");
            }
            return new Overhead(invocations, nanos[nanos.length / 2] / 1000.0, nanos[nanos.length * 9 / 10] / 1000.0,
                    nanos[(int) (nanos.length * 0.99)] / 1000.0, directNanos);
        }
    }

    /**
     * Environments of the fixed handler held at once: {@code count} callers released together, each
     * finding every warm environment busy, so each gets its own; all behind the proxy, each with its pool
     * and its one connection. Then a second wave that must reuse them.
     *
     * @param environments environments created
     * @param ok invocations answered 200 (both waves)
     * @param failed invocations that did not
     * @param heapUsedMb heap in use after a full GC with every environment alive
     * @param heapPerEnvironmentKb heap per environment
     * @param maxHeapMb the JVM's -Xmx
     * @param metaspaceMb metaspace in use
     * @param threads live threads
     * @param proxyClients client connections the proxy held
     * @param firstWaveSeconds time for the first wave (cold starts)
     */
    public record Environments(int count, long environments, long ok, long failed, long heapUsedMb,
            long heapPerEnvironmentKb, long maxHeapMb, long metaspaceMb, int threads, int proxyClients,
            double firstWaveSeconds, long secondWaveNewEnvironments) {
    }

    public static Environments environments(TestBed testBed, int count) throws Exception {
        long baseline = usedHeapAfterGc();
        // What is measured is how many environments one JVM holds, not the proxy's capacity: a thousand
        // first connections (each a SCRAM login) and queries through 5 database connections take a while
        // on 2 cores, so the waits are generous and the requests hold nothing. That includes the pool's
        // validationTimeout: HikariCP's setup queries on a new connection wait for a database connection
        // at the proxy like any query, and time out (then back off for seconds) when it is short.
        ProxySettings proxy = ProxySettings.DEFAULTS.withMaxClientConnections(count + 50)
                .withConnectionBorrowTimeout(Duration.ofSeconds(240));
        try (Proxy pgBouncer = testBed.startProxy(proxy);
                EmulatedFunction fixed = testBed.function(Variant.FIXED, testBed.environment(pgBouncer, Map.of(
                        "POOL_TIMEOUT_MS", "240000", "POOL_VALIDATION_TIMEOUT_MS", "200000",
                        "DB_CONNECT_TIMEOUT_S", "60", "DB_SOCKET_TIMEOUT_S", "300")))
                        .withAccountConcurrency(count + 10)
                        .withTimeout(Duration.ofSeconds(300))
                        .withInitTimeout(Duration.ofSeconds(300))) {
            long start = System.nanoTime();
            long[] firstWave = wave(fixed, count);
            double firstSeconds = (System.nanoTime() - start) / 1e9;
            long environments = fixed.metrics().environmentsCreated();
            long[] secondWave = wave(fixed, count);
            long secondNew = fixed.metrics().environmentsCreated() - environments;
            FunctionMetrics metrics = fixed.metrics();
            long used = usedHeapAfterGc();
            int clients = pgBouncer.pools().clients();
            long metaspace = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(pool -> pool.getName().equals("Metaspace")).mapToLong(pool -> pool.getUsage().getUsed())
                    .sum();
            return new Environments(count, metrics.environmentsCreated(), firstWave[0] + secondWave[0],
                    firstWave[1] + secondWave[1], used / (1024 * 1024),
                    (used - baseline) / 1024 / Math.max(1, metrics.environmentsCreated()),
                    Runtime.getRuntime().maxMemory() / (1024 * 1024), metaspace / (1024 * 1024),
                    ManagementFactory.getThreadMXBean().getThreadCount(), clients, firstSeconds, secondNew);
        } finally {
            testBed.resetConnections();
        }
    }

    /** {@code callers} threads released at once, one invocation each; returns {ok, failed}. */
    /** {@code callers} GET /fixed requests released at once; returns {answered 200, failed}. */
    static long[] wave(EmulatedFunction function, int callers) throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(callers);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(callers);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            Thread thread = new Thread(() -> {
                ready.countDown();
                try {
                    go.await();
                    Invocation invocation = function.invoke(HttpApiEvents.get("/fixed", 0));
                    boolean success = invocation.succeeded() && invocation.response() instanceof
                            com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse response
                            && response.getStatusCode() == 200;
                    (success ? ok : failed).incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            }, "bench-caller-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        ready.await();
        go.countDown();
        done.await();
        return new long[] {ok.get(), failed.get()};
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == java.lang.management.MemoryType.HEAP)
                .mapToLong(pool -> pool.getUsage().getUsed()).sum();
    }

    /**
     * The fixed function behind the proxy against its physical limit: with P database connections each
     * held for H per request, at most P / H requests per second can complete (Little's law).
     *
     * @param limitPerSec P / H
     * @param throughputPerSec successful requests per second, measured after the cold starts
     * @param ratio throughput / limit
     */
    public record Throughput(int callers, int holdMillis, int databaseConnections, double limitPerSec,
            double throughputPerSec, double ratio, long ok, long errors, int peakDbConnections, double p50Millis,
            double p99Millis) {
    }

    public static Throughput throughput(TestBed testBed, int callers, Duration duration, int holdMillis)
            throws Exception {
        ProxySettings proxy = ProxySettings.DEFAULTS.withMaxClientConnections(Math.max(200, callers + 50));
        try (Proxy pgBouncer = testBed.startProxy(proxy);
                EmulatedFunction fixed = testBed.function(Variant.FIXED, testBed.environment(pgBouncer, Map.of()))) {
            LoadDriver driver = new LoadDriver(fixed::invoke, "/fixed");
            driver.run(Load.closedLoop(callers, callers * 4, holdMillis)); // warm up: cold starts, JIT
            dev.lambdalab.testbed.scenario.ConnectionSampler sampler = new dev.lambdalab.testbed.scenario.ConnectionSampler(
                    testBed.lab(), pgBouncer, Duration.ofMillis(50)).start();
            LoadResult result;
            try {
                result = driver.run(Load.forDuration(callers, duration, holdMillis));
            } finally {
                sampler.stop();
            }
            int connections = pgBouncer.poolSize();
            double limit = connections * 1000.0 / holdMillis;
            double throughput = result.throughputPerSecond();
            return new Throughput(callers, holdMillis, connections, limit, throughput, throughput / limit, result.ok(),
                    result.errors(), sampler.peakDatabaseConnections(), result.latencyMillis(50),
                    result.latencyMillis(99));
        } finally {
            testBed.resetConnections();
        }
    }
}
