package dev.lambdalab.testbed.lambda;

import dev.lambdalab.testbed.lambda.classloader.SandboxSocketFactory;
import dev.lambdalab.testbed.lambda.process.JavaRuntime;
import dev.lambdalab.testbed.lambda.process.JvmProfile;
import dev.lambdalab.testbed.lambda.process.ProcessSandbox;
import dev.lambdalab.testbed.lambda.process.ProcessSockets;
import dev.lambdalab.testbed.lambda.sandbox.FunctionCode;
import dev.lambdalab.testbed.lambda.sandbox.FunctionLog;
import dev.lambdalab.testbed.lambda.sandbox.Sandbox;
import dev.lambdalab.testbed.lambda.snapstart.Snapshot;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * One Lambda function, emulated in this JVM with Lambda's scaling rules for synchronous invocations:
 *
 * <ul>
 *   <li>An execution environment serves one invocation at a time. An invocation goes to an idle warm
 *       environment if there is one (the most recently used), else a new environment is created: a cold
 *       start, whose init (class initialisation plus handler construction) is timed.</li>
 *   <li>When the function's concurrency (its reserved concurrency, else the account's) is in use, the
 *       invocation is throttled at once with {@link TooManyRequestsException} (HTTP 429).</li>
 *   <li>An invocation that runs past the timeout fails with {@code Task timed out after N seconds}; its
 *       environment is discarded, without closing anything, and the next invocation gets a new one.</li>
 *   <li>Idle environments are reclaimed after {@link #withIdleReclaim(Duration)}, again without any
 *       shutdown hook.</li>
 * </ul>
 *
 * That is classic Lambda ({@link FunctionRuntime}). With {@link #withManagedInstances} it runs the second execution
 * model instead, Lambda Managed Instances ({@link ManagedInstancesRuntime}): environments of many threads sharing one
 * handler, started ahead of traffic, scaled in the background, never frozen.
 *
 * <p>Configure it with the {@code withX} methods before the first invocation (they fill a
 * {@link FunctionConfig.Builder}, which checks each value), then call {@link #invoke(Object)} from any number of
 * threads: the first one starts the running function with the finished {@link FunctionConfig}.
 * {@link #close()} ends every environment.
 */
public final class EmulatedFunction implements AutoCloseable {

    private final FunctionConfig.Builder builder;
    private final FunctionLog log = new FunctionLog(20_000);
    private final ThreadGroup threads;
    private NanoClock clock = NanoClock.SYSTEM;

    private final Object lock = new Object();
    private FunctionConfig config;
    private RunningFunction runtime;
    private boolean closed;

    /**
     * @param name the function name (FunctionName in template.yaml)
     * @param handlerClass the handler's class name; it must implement RequestHandler and have a
     *     no-argument constructor
     */
    public EmulatedFunction(String name, String handlerClass) {
        this.builder = new FunctionConfig.Builder(name, handlerClass);
        this.threads = new ThreadGroup("lambda-" + name);
    }

    /** The function's code; default: the project's functions and shared-db packages. */
    public EmulatedFunction withCode(FunctionCode code) {
        configure().code(code);
        return this;
    }

    /** The function's environment variables, as template.yaml's Environment.Variables. */
    public EmulatedFunction withEnvironment(Map<String, String> variables) {
        Objects.requireNonNull(variables, "variables").forEach(this::withEnvironmentVariable);
        return this;
    }

    public EmulatedFunction withEnvironmentVariable(String key, String value) {
        configure().environmentVariable(key, value);
        return this;
    }

    /** MemorySize: 128 to 10240 MB, as Lambda allows. Only reported: the emulator does not cap memory. */
    public EmulatedFunction withMemoryMb(int memoryMb) {
        configure().memoryMb(memoryMb);
        return this;
    }

    /** Timeout of an invocation: from 100 ms (below Lambda's 1 s minimum, for fast tests) to 900 s. */
    public EmulatedFunction withTimeout(Duration timeout) {
        configure().timeout(timeout);
        return this;
    }

    /** How long init may take before the environment fails (Lambda: 10 s). */
    public EmulatedFunction withInitTimeout(Duration initTimeout) {
        configure().initTimeout(initTimeout);
        return this;
    }

    /** ReservedConcurrentExecutions: at most this many environments at once; 0 throttles everything. */
    public EmulatedFunction withReservedConcurrency(int reservedConcurrency) {
        configure().reservedConcurrency(reservedConcurrency);
        return this;
    }

    /** The account's concurrency available to an unreserved function (Lambda's default quota: 1000). */
    public EmulatedFunction withAccountConcurrency(int accountConcurrency) {
        configure().accountConcurrency(accountConcurrency);
        return this;
    }

    /** Reclaim an environment idle this long (Lambda does so after minutes to hours; by default never). */
    public EmulatedFunction withIdleReclaim(Duration idleReclaim) {
        configure().idleReclaim(idleReclaim);
        return this;
    }

    /** The clock idle time is measured with; tests move one by hand instead of sleeping. */
    public EmulatedFunction withClock(NanoClock clock) {
        configure();
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * How environments are isolated: class loaders in this JVM (the default: cheap, 1,000 per JVM) or a
     * JVM process each under AWS's runtime interface client, frozen between invocations.
     */
    public EmulatedFunction withIsolation(Isolation isolation) {
        configure().isolation(isolation);
        return this;
    }

    /** The flags of process environments' JVMs ({@link JvmProfile}); default {@value JvmProfile#VARIABLE} or fast. */
    public EmulatedFunction withJvmProfile(JvmProfile profile) {
        configure().jvmProfile(profile);
        return this;
    }

    /** Extra JVM flags for process environments, such as {@code -Dcom.zaxxer.hikari.housekeeping.periodMs=1000}. */
    public EmulatedFunction withJvmOptions(String... options) {
        configure().jvmOptions(options);
        return this;
    }

    /**
     * SnapStart ({@link SnapStart}): with {@code SNAPSHOT}, the first invocation publishes the version (init
     * once, snapshot) and every cold start restores a copy. Needs {@link Isolation#PROCESS}.
     */
    public EmulatedFunction withSnapStart(SnapStart mode) {
        configure().snapStart(mode);
        return this;
    }

    /**
     * Runs the function on Lambda Managed Instances ({@link ManagedInstances}): environments of many threads sharing
     * one handler, started when the version is published and scaled in the background, never frozen.
     */
    public EmulatedFunction withManagedInstances(ManagedInstances managed) {
        configure().managedInstances(managed);
        return this;
    }

    /** The Lambda runtime and the JDK that runs its process environments (default: java25, the template's, on this JVM). */
    public EmulatedFunction withJavaRuntime(JavaRuntime runtime) {
        configure().javaRuntime(runtime);
        return this;
    }

    /** AWS_REGION as the function sees it. */
    public EmulatedFunction withRegion(String region) {
        configure().region(region);
        return this;
    }

    /** The builder, while the function has not started. */
    private FunctionConfig.Builder configure() {
        synchronized (lock) {
            if (runtime != null) {
                throw new IllegalStateException("function " + builder.name() + " is already running: configure it"
                        + " before the first invocation");
            }
            return builder;
        }
    }

    /**
     * What the function runs with: the finished configuration once started, else what the {@code withX} calls
     * gave so far.
     */
    public FunctionConfig config() {
        synchronized (lock) {
            return config != null ? config : builder.peek();
        }
    }

    public String name() {
        return builder.name();
    }

    public SnapStart snapStart() {
        return config().snapStart();
    }

    public Isolation isolation() {
        return config().isolation();
    }

    public Duration timeout() {
        return config().timeout();
    }

    /** The variables set with {@link #withEnvironment}, as Lambda's GetFunctionConfiguration lists them. */
    public Map<String, String> environmentVariables() {
        return config().environment();
    }

    public int memoryMb() {
        return config().memoryMb();
    }

    /** The concurrency limit that applies: the reserved concurrency if set, else the account's. */
    public int concurrencyLimit() {
        return config().concurrencyLimit();
    }

    public FunctionLog log() {
        return log;
    }

    /**
     * Publishes the version now, as Lambda's PublishVersion: with {@link SnapStart#SNAPSHOT}, init runs once and
     * the snapshot is taken before this returns; on Managed Instances the minimum fleet is started and initialised
     * before this returns; otherwise the function just starts. The first invocation does it when nothing else did.
     *
     * @throws IllegalStateException when the snapshot's init or dump failed, naming why
     */
    public EmulatedFunction publish() {
        runtime();
        return this;
    }

    /** The running function, started on first use. */
    private RunningFunction runtime() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("function " + builder.name() + " is closed");
            }
            if (runtime == null) {
                FunctionConfig finished = builder.build();
                runtime = finished.managedInstances().isPresent()
                        ? new ManagedInstancesRuntime(finished, log, clock, threads)
                        : new FunctionRuntime(finished, log, clock, threads);
                config = finished;
            }
            return runtime;
        }
    }

    private Optional<RunningFunction> started() {
        synchronized (lock) {
            return Optional.ofNullable(runtime);
        }
    }

    /**
     * The snapshot's Init Duration (init and beforeCheckpoint hooks, Lambda's INIT_REPORT), or empty before
     * the version is published or without snapshots.
     */
    public Optional<Duration> snapshotInitDuration() {
        return started().flatMap(RunningFunction::snapshot).map(Snapshot::initDuration);
    }

    /** The host pids of the restored copies alive now, and the pid they all had when snapshotted. */
    public Optional<RestoredCopies> restoredCopies() {
        return started().flatMap(RunningFunction::snapshot).map(snapshot -> new RestoredCopies(snapshot.sourcePid(),
                snapshot.copies().stream().map(ProcessSandbox::processId).filter(pid -> pid > 0).sorted().toList(),
                snapshot.bytes(), snapshot.dumpDuration()));
    }

    public FunctionMetrics metrics() {
        return started().map(RunningFunction::metrics)
                .orElseGet(() -> new FunctionMetrics.Recorder().snapshot(List.of(), 0, 0));
    }

    /** Every environment created so far, alive or not. */
    public List<EnvironmentInfo> environments() {
        return started().map(RunningFunction::environments).orElse(List.of());
    }

    /**
     * The connections each live environment holds to the remote ports that pass the test (a database endpoint's), as
     * the local ports the server sees them from, by environment id. Process isolation on Linux only (read from /proc,
     * frozen environments included); empty otherwise.
     */
    public Map<String, List<Integer>> connectionsTo(IntPredicate remotePort) {
        Map<String, List<Integer>> connections = new LinkedHashMap<>();
        for (EnvironmentInfo environment : environments()) {
            if (environment.processId() > 0 && !environment.state().equals(Sandbox.State.DEAD.name())) {
                connections.put(environment.id(), ProcessSockets.localPorts(environment.processId(), remotePort));
            }
        }
        return connections;
    }

    /**
     * Invokes the function synchronously, like Lambda's Invoke API with RequestResponse. Never throws
     * for the function's own failures: they are outcomes of the returned {@link Invocation}.
     */
    public Invocation invoke(Object event) {
        return runtime().invoke(event);
    }

    /**
     * Waits, at most {@code timeout}, for the environments being initialised now (on Managed Instances, those the
     * scaler started) to succeed or fail.
     */
    public void awaitInitsSettled(Duration timeout) throws InterruptedException {
        Optional<RunningFunction> running = started();
        if (running.isPresent()) {
            running.get().awaitInitsSettled(timeout);
        }
    }

    /** Reclaims the environments idle longer than the idle reclaim now, as the reaper does on its period. */
    void reclaimIdle() {
        started().ifPresent(RunningFunction::reclaimIdle);
    }

    /**
     * Ends every environment as if its process were killed: their sockets close, so the database sees
     * their connections go (only those opened through {@link SandboxSocketFactory}); their leftover
     * threads can no longer connect. Invocations still running finish, but their environments are not reused.
     */
    @Override
    public void close() {
        RunningFunction running;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            running = runtime;
        }
        if (running != null) {
            running.close();
        }
    }

    @Override
    public String toString() {
        FunctionConfig current = config();
        return "EmulatedFunction{" + current.name() + ", handler=" + current.handlerClass() + ", timeout="
                + current.timeout().toMillis() + "ms, concurrencyLimit=" + current.concurrencyLimit() + "}";
    }
}
