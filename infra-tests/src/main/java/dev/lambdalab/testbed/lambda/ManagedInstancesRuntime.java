package dev.lambdalab.testbed.lambda;

import dev.lambdalab.testbed.lambda.Invocation.Outcome;
import dev.lambdalab.testbed.lambda.Invocation.Served;
import dev.lambdalab.testbed.lambda.classloader.SharedLibraryState;
import dev.lambdalab.testbed.lambda.sandbox.FunctionLog;
import dev.lambdalab.testbed.lambda.sandbox.LambdaErrorType;
import dev.lambdalab.testbed.lambda.sandbox.Sandbox;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A started {@link EmulatedFunction} on Lambda Managed Instances ("Understanding the Lambda Managed Instances
 * execution environment"):
 *
 * <ul>
 *   <li>Publishing starts {@code minEnvironments} environments and returns once their init is over: "starts three
 *       execution environments before marking your function version ACTIVE". Invocations never start one.</li>
 *   <li>An invocation goes to the ready environment with the fewest invocations in flight; each runs up to
 *       PerExecutionEnvironmentMaxConcurrency at once. When every worker of every environment is busy it is
 *       refused at once with 429 ("backpressure handling": "new invocation requests are rejected until a worker
 *       becomes available").</li>
 *   <li>A timeout fails that invocation only; its handler runs on and keeps its worker until it returns, and the
 *       environment keeps serving ("independent timeouts").</li>
 *   <li>Environments are never frozen and never reclaimed for idleness; {@link ManagedScaler} adds and retires
 *       them in the background.</li>
 * </ul>
 */
final class ManagedInstancesRuntime implements RunningFunction {

    /** The throttle's reason: the emulator's name; AWS documents the rejection, not a reason code for it. */
    static final String CAPACITY = "ManagedInstancesCapacityExhausted";

    private final FunctionConfig config;
    private final ManagedInstances managed;
    private final FunctionLog log;
    private final NanoClock clock;
    private final FunctionMetrics.Recorder metrics = new FunctionMetrics.Recorder();
    private final Phases phases;
    private final EnvironmentFactory factory;
    private final ManagedScaler scaler;
    private final ScheduledExecutorService scaling;

    private final Object lock = new Object();
    private final List<Sandbox> ready = new ArrayList<>();
    private int starting;
    private int inFlight;
    private String lastInitError;
    private boolean closed;
    // Time-weighted invocations in flight since the scaler's last reading, and CPU time per environment then.
    private long weightedInFlight;
    private long lastChangeNanos;
    private long periodStartNanos;
    private final Map<Sandbox, Long> cpuSeen = new HashMap<>();

    /** Publishes the version: starts the minimum fleet and waits for its inits, then starts the scaler. */
    ManagedInstancesRuntime(FunctionConfig config, FunctionLog log, NanoClock clock, ThreadGroup threads) {
        this.config = config;
        this.managed = config.managedInstances().orElseThrow();
        this.log = log;
        this.clock = clock;
        this.phases = new Phases(config, metrics, log);
        this.factory = new EnvironmentFactory(config, log, threads, null);
        this.scaler = new ManagedScaler(managed, clock);
        SharedLibraryState.prepare();
        long now = clock.nanoTime();
        lastChangeNanos = now;
        periodStartNanos = now;
        CountDownLatch published = start(managed.minEnvironments());
        try {
            published.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("function " + config.name() + ": interrupted while publishing", e);
        }
        synchronized (lock) {
            scaler.record(ready.size());
            log.append("publish", "-", String.format(Locale.ROOT, "PUBLISH %d of %d environments ready (%s)",
                    ready.size(), managed.minEnvironments(), managed.describe()));
        }
        this.scaling = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "lambda-" + config.name() + "-scaler");
            thread.setDaemon(true);
            return thread;
        });
        long period = managed.scalingPeriod().toMillis();
        scaling.scheduleWithFixedDelay(this::scale, period, period, TimeUnit.MILLISECONDS);
    }

    /** Starts {@code count} environments in the background; each joins the fleet when its init is over. */
    private CountDownLatch start(int count) {
        CountDownLatch done = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            Sandbox sandbox;
            synchronized (lock) {
                if (closed) {
                    done.countDown();
                    continue;
                }
                sandbox = factory.create();
                starting++;
            }
            metrics.environmentCreated();
            Thread init = new Thread(() -> {
                try {
                    initialise(sandbox);
                } finally {
                    done.countDown();
                }
            }, "lambda-" + config.name() + "-init-" + sandbox.shortId());
            init.setDaemon(true);
            init.start();
        }
        return done;
    }

    private void initialise(Sandbox sandbox) {
        Phases.Init init = phases.init(sandbox, "-");
        synchronized (lock) {
            starting--;
            lock.notifyAll();
            if (init.failed() == null && !closed) {
                sandbox.setState(Sandbox.State.IDLE);
                ready.add(sandbox);
            } else if (init.failed() != null) {
                lastInitError = init.failed().errorType() + ": " + init.failed().errorMessage();
            }
        }
    }

    @Override
    public void awaitInitsSettled(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (starting > 0 && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    @Override
    public Invocation invoke(Object event) {
        String requestId = RequestIds.next();
        Sandbox sandbox;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("function " + config.name() + " is closed");
            }
            if (ready.isEmpty() && starting == 0 && lastInitError != null) {
                // No environment could start: the version never became active. Our choice: the caller sees why.
                return Invocation.failed(requestId, Outcome.INIT_ERROR, new Served("-", false, Duration.ZERO),
                        LambdaErrorType.RUNTIME_INIT_ERROR.text(),
                        "no execution environment of the version is active: " + lastInitError, Duration.ZERO);
            }
            sandbox = leastLoaded();
            if (sandbox == null) {
                metrics.throttled();
                return Invocation.throttled(requestId, new TooManyRequestsException(CAPACITY));
            }
            account(+1);
            metrics.concurrency(inFlight);
            metrics.environmentConcurrency(sandbox.invocationStarted());
            sandbox.setState(Sandbox.State.BUSY);
        }
        return phases.invoke(sandbox, event, requestId, new Served(sandbox.id(), false, Duration.ZERO),
                () -> ended(sandbox));
    }

    /** The ready environment with the fewest invocations in flight and a free worker, or null. */
    private Sandbox leastLoaded() {
        Sandbox best = null;
        for (Sandbox sandbox : ready) {
            if (sandbox.alive() && sandbox.inFlight() < sandbox.workers()
                    && (best == null || sandbox.inFlight() < best.inFlight())) {
                best = sandbox;
            }
        }
        return best;
    }

    private void ended(Sandbox sandbox) {
        synchronized (lock) {
            account(-1);
            sandbox.invocationEnded();
            sandbox.setLastUsedNanos(clock.nanoTime());
            if (sandbox.inFlight() == 0) {
                sandbox.setState(Sandbox.State.IDLE);
            }
        }
    }

    private void account(int change) {
        long now = clock.nanoTime();
        weightedInFlight += inFlight * (now - lastChangeNanos);
        lastChangeNanos = now;
        inFlight += change;
    }

    /** One decision of the scaler; its executor calls it every scaling period. */
    void scale() {
        ManagedScaler.Reading reading;
        int current;
        synchronized (lock) {
            if (closed) {
                return;
            }
            ready.removeIf(sandbox -> {
                if (sandbox.alive()) {
                    return false;
                }
                sandbox.discard("its runtime exited");
                return true;
            });
            account(0);
            long now = clock.nanoTime();
            long span = Math.max(1, now - periodStartNanos);
            double meanInFlight = (double) weightedInFlight / span;
            weightedInFlight = 0;
            periodStartNanos = now;
            current = ready.size() + starting;
            int workers = Math.max(1, ready.size() * managed.perEnvironmentMaxConcurrency());
            reading = new ManagedScaler.Reading(current, Math.min(1.0, meanInFlight / workers), cpu(span));
        }
        ManagedScaler.Decision decision = scaler.decide(reading);
        if (decision.grows(current)) {
            start(decision.environments() - current);
        } else if (decision.environments() < current) {
            retireOneIdle();
        }
        scaler.record(Math.max(decision.environments(), current - 1));
        if (decision.environments() != current || decision.wanted() > decision.environments()) {
            // Also when the doubling rule holds the fleet back: that is when callers meet 429s.
            log.append("scaler", "-", "SCALE " + current + " -> " + decision.environments() + " environments: "
                    + decision.reason());
        }
    }

    /** CPU use of the ready environments over the last period, as a share of their vCPUs; 0 where unreadable. */
    private double cpu(long spanNanos) {
        double used = 0;
        int measured = 0;
        for (Sandbox sandbox : ready) {
            long now = sandbox.cpuNanos();
            Long before = cpuSeen.put(sandbox, now);
            if (now >= 0 && before != null && before >= 0) {
                used += (double) (now - before) / (spanNanos * (double) managed.vcpusPerEnvironment());
                measured++;
            }
        }
        return measured == 0 ? 0 : Math.min(1.0, used / measured);
    }

    private void retireOneIdle() {
        Sandbox retired = null;
        synchronized (lock) {
            for (Sandbox sandbox : ready) {
                if (sandbox.inFlight() == 0) {
                    retired = sandbox;
                    break;
                }
            }
            if (retired != null) {
                ready.remove(retired);
                cpuSeen.remove(retired);
                metrics.reclaimed();
            }
        }
        if (retired != null) {
            retired.destroy("scaled in");
        }
    }

    @Override
    public FunctionMetrics metrics() {
        synchronized (lock) {
            int idle = (int) ready.stream().filter(s -> s.inFlight() == 0).count();
            return metrics.snapshot(factory.all(), idle, ready.size() - idle);
        }
    }

    @Override
    public List<EnvironmentInfo> environments() {
        return factory.infos();
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            ready.clear();
        }
        scaling.shutdownNow();
        factory.destroyAll("destroyed: the emulated function was closed");
    }
}
