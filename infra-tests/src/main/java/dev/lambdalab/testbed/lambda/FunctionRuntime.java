package dev.lambdalab.testbed.lambda;

import dev.lambdalab.testbed.lambda.Invocation.Served;
import dev.lambdalab.testbed.lambda.classloader.SharedLibraryState;
import dev.lambdalab.testbed.lambda.sandbox.FunctionLog;
import dev.lambdalab.testbed.lambda.sandbox.Sandbox;
import dev.lambdalab.testbed.lambda.snapstart.Snapshot;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A started {@link EmulatedFunction} on classic Lambda: its environments and Lambda's rules for routing synchronous
 * invocations to them ("Lambda function scaling"). An invocation goes to the most recently used idle environment,
 * else a new one is created (a cold start); when the concurrency limit is in use it is throttled at once.
 * Environments idle longer than the idle reclaim are discarded without any shutdown hook.
 */
final class FunctionRuntime implements RunningFunction {

    private final FunctionConfig config;
    private final FunctionLog log;
    private final NanoClock clock;
    private final FunctionMetrics.Recorder metrics = new FunctionMetrics.Recorder();
    private final Phases phases;
    private final Snapshot snapshot;
    private final EnvironmentFactory factory;
    private final ScheduledExecutorService reaper;

    private final Object lock = new Object();
    private final ArrayDeque<Sandbox> idle = new ArrayDeque<>();
    private int inFlight;
    private boolean closed;

    /** Starts the function: with SnapStart, init runs once and the snapshot is taken before this returns. */
    FunctionRuntime(FunctionConfig config, FunctionLog log, NanoClock clock, ThreadGroup threads) {
        this.config = config;
        this.log = log;
        this.clock = clock;
        this.phases = new Phases(config, metrics, log);
        SharedLibraryState.prepare();
        this.snapshot = config.snapStart() == SnapStart.SNAPSHOT ? takeSnapshot() : null;
        this.factory = new EnvironmentFactory(config, log, threads, snapshot);
        this.reaper = config.idleReclaim().map(this::startReaper).orElse(null);
    }

    /** Init once and the snapshot (Lambda's INIT_REPORT). */
    private Snapshot takeSnapshot() {
        Snapshot taken;
        try {
            taken = Snapshot.take(config.name(), config.environmentJvm(), config.lambdaVariables(),
                    config.initTimeout(), log);
        } catch (IOException e) {
            throw new IllegalStateException("function " + config.name() + ": the SnapStart snapshot failed: "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("function " + config.name() + ": interrupted while taking the snapshot", e);
        }
        log.append("snapshot", "-", String.format(Locale.ROOT, "INIT_REPORT Init Duration: %.2f ms Phase: init"
                + " Status: success (snapshot of pid %d: %.1f MB, dumped in %d ms)",
                taken.initDuration().toNanos() / 1e6, taken.sourcePid(), taken.bytes() / 1e6,
                taken.dumpDuration().toMillis()));
        return taken;
    }

    private ScheduledExecutorService startReaper(Duration idleReclaim) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "lambda-" + config.name() + "-reaper");
            thread.setDaemon(true);
            return thread;
        });
        long periodMillis = Math.max(5, Math.min(1000, idleReclaim.toMillis() / 2));
        executor.scheduleWithFixedDelay(this::reclaimIdle, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        return executor;
    }

    @Override
    public Optional<Snapshot> snapshot() {
        return Optional.ofNullable(snapshot);
    }

    @Override
    public Invocation invoke(Object event) {
        String requestId = RequestIds.next();
        Sandbox sandbox;
        boolean cold = false;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("function " + config.name() + " is closed");
            }
            if (inFlight >= config.concurrencyLimit()) {
                metrics.throttled();
                return Invocation.throttled(requestId, new TooManyRequestsException(config.reservedConcurrency()
                        .isPresent() ? TooManyRequestsException.RESERVED : TooManyRequestsException.ACCOUNT));
            }
            inFlight++;
            metrics.concurrency(inFlight);
            sandbox = idle.pollFirst();
            if (sandbox == null) {
                sandbox = factory.create();
                metrics.environmentCreated();
                cold = true;
            }
            sandbox.setState(Sandbox.State.BUSY);
            metrics.environmentConcurrency(sandbox.invocationStarted());
        }
        try {
            Duration initDuration = Duration.ZERO;
            if (cold) {
                Phases.Init init = phases.init(sandbox, requestId);
                if (init.failed() != null) {
                    return init.failed();
                }
                initDuration = init.duration();
            }
            return phases.invoke(sandbox, event, requestId, new Served(sandbox.id(), cold, initDuration));
        } finally {
            release(sandbox);
        }
    }

    /** Back to the idle list, most recently used first, unless it died or the function closed. */
    private void release(Sandbox sandbox) {
        synchronized (lock) {
            inFlight--;
            sandbox.invocationEnded();
            if (sandbox.state() != Sandbox.State.DEAD && !closed) {
                sandbox.setState(Sandbox.State.IDLE);
                sandbox.setLastUsedNanos(clock.nanoTime());
                idle.addFirst(sandbox);
                sandbox.parked();
            }
        }
    }

    /** Discards every environment idle for at least the idle reclaim, by the clock; the reaper calls it. */
    @Override
    public void reclaimIdle() {
        Duration idleReclaim = config.idleReclaim().orElse(null);
        if (idleReclaim == null) {
            return;
        }
        long now = clock.nanoTime();
        synchronized (lock) {
            idle.removeIf(sandbox -> {
                if (now - sandbox.lastUsedNanos() >= idleReclaim.toNanos()) {
                    sandbox.discard("reclaimed after " + idleReclaim.toMillis() + "ms idle");
                    metrics.reclaimed();
                    return true;
                }
                return false;
            });
        }
    }

    @Override
    public FunctionMetrics metrics() {
        synchronized (lock) {
            return metrics.snapshot(factory.all(), idle.size(), inFlight);
        }
    }

    @Override
    public List<EnvironmentInfo> environments() {
        return factory.infos();
    }

    /** Ends every environment as if its process were killed, then the snapshot. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            idle.clear();
        }
        if (reaper != null) {
            reaper.shutdownNow();
        }
        factory.destroyAll("destroyed: the emulated function was closed");
        if (snapshot != null) {
            snapshot.close();
        }
    }
}
