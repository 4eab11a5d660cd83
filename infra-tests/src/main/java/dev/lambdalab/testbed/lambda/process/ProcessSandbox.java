package dev.lambdalab.testbed.lambda.process;

import dev.lambdalab.testbed.lambda.sandbox.EmulatedContext;
import dev.lambdalab.testbed.lambda.sandbox.FunctionLog;
import dev.lambdalab.testbed.lambda.sandbox.Handoff;
import dev.lambdalab.testbed.lambda.sandbox.LambdaErrorType;
import dev.lambdalab.testbed.lambda.sandbox.RuntimeReportedError;
import dev.lambdalab.testbed.lambda.sandbox.Sandbox;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;

/**
 * One execution environment as a JVM process of its own, the way Lambda's managed Java runtime runs it:
 * {@code java -XX:TieredStopAtLevel=1 ... AWSLambda <handler>}, AWS's runtime interface client on the
 * class path, the unpacked package as the working directory, Lambda's variables, and a Runtime API
 * ({@link RuntimeApiServer}) of its own.
 *
 * <p>Between invocations the process is <b>frozen</b>: once it has answered and asked for its next event,
 * it gets SIGSTOP, and SIGCONT when the next invocation is routed to it. Nothing in it runs meanwhile,
 * HikariCP's housekeeper and background fills included, as in Lambda. A timeout, a reclaim or the
 * emulator's close ends it with SIGKILL: no shutdown hook runs. Unlike Lambda, where the micro-VM vanishes
 * and the server sees nothing until TCP keepalive or its own timeouts, the kernel here closes the killed
 * process's sockets at once, so the server sees its connections go.
 *
 * <p>With SnapStart it has one of three other {@link EnvironmentRole}s: the environment
 * that is initialised and then snapshotted, a copy restored from that snapshot, or (hooks only) an environment
 * that runs the same hook sequence without a snapshot.
 */
public final class ProcessSandbox extends Sandbox implements RuntimeEndpoint.Listener {

    private final EnvironmentJvm jvm;
    private final FunctionLog log;
    private final EnvironmentRole role;
    private final RestoreSource snapshot;
    private final RuntimeEndpoint endpoint = new RuntimeEndpoint(this);
    /** Its own Runtime API, or null for a copy (the snapshot's, shared) and a source (the snapshot's too). */
    private final RuntimeApiServer ownApi;
    private final int apiPort;
    private volatile EnvironmentProcess process;
    /** The JVM's pid: the process's, or for a copy the restored JVM's, found when it first calls the API. */
    private volatile long jvmPid = -1;
    private volatile int invocations;

    // Guarded by this: the runtime's poll, the emulator's wish to park it, and whether it is stopped.
    private boolean runtimeWaiting;
    private boolean parkRequested;
    private boolean frozen;
    private final RuntimeHandoffs handoffs = new RuntimeHandoffs();
    private volatile String functionArn = RuntimeJson.functionArn(Map.of());

    /** An environment of the given role, other than a restored copy, running {@code workers} invocations at once. */
    public ProcessSandbox(String id, String logStreamName, EnvironmentJvm jvm, FunctionLog log, EnvironmentRole role,
            int workers) {
        this(id, logStreamName, jvm, log, role, null, null, workers);
    }

    /** The environment a snapshot is taken of: its Runtime API is the snapshot's, whose port the copies keep. */
    public ProcessSandbox(String id, EnvironmentJvm jvm, FunctionLog log, RuntimeApiServer snapshotApi) {
        this(id, "", jvm, log, EnvironmentRole.SNAPSHOT_SOURCE, null,
                Objects.requireNonNull(snapshotApi, "snapshotApi"), 1);
    }

    /** A copy restored from the snapshot. */
    public ProcessSandbox(String id, String logStreamName, RestoreSource snapshot, FunctionLog log) {
        this(id, logStreamName, snapshot.jvm(), log, EnvironmentRole.RESTORED_COPY,
                Objects.requireNonNull(snapshot, "snapshot"), null, 1);
    }

    private ProcessSandbox(String id, String logStreamName, EnvironmentJvm jvm, FunctionLog log,
            EnvironmentRole role, RestoreSource snapshot, RuntimeApiServer snapshotApi, int workers) {
        super(id, logStreamName, workers);
        this.jvm = Objects.requireNonNull(jvm, "jvm");
        this.log = log;
        this.role = role;
        this.snapshot = snapshot;
        if (role == EnvironmentRole.RESTORED_COPY) {
            this.ownApi = null;
            this.apiPort = snapshot.apiPort();
        } else if (role == EnvironmentRole.SNAPSHOT_SOURCE) {
            this.ownApi = null;
            this.apiPort = snapshotApi.port();
            snapshotApi.reroute(caller -> endpoint);
        } else {
            this.ownApi = new RuntimeApiServer(endpoint);
            this.apiPort = ownApi.port();
        }
    }

    public RuntimeEndpoint endpoint() {
        return endpoint;
    }

    /** The process CRIU runs (for a copy: {@code unshare}), whose descendants include the JVM. */
    public Process process() {
        EnvironmentProcess running = process;
        return running == null ? null : running.process();
    }

    /** A copy's JVM, found by the snapshot's Runtime API when it first called. */
    public void boundToJvm(long pid) {
        jvmPid = pid;
    }

    @Override
    public int invocations() {
        return invocations;
    }

    /** The JVM's pid, -1 before it started (for a copy: before it first called the Runtime API). */
    @Override
    public long processId() {
        return jvmPid;
    }

    /**
     * Starts the process. Init is done when the runtime client, having loaded and constructed the handler,
     * asks for its first event; it fails when the client reports an init error or the process exits.
     */
    @Override
    public Handoff<Void> init(String handler, Map<String, String> environment) {
        if (role == EnvironmentRole.RESTORED_COPY) {
            return restore();
        }
        try {
            handoffs.startSlot().acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Handoff<Void> interrupted = handoffs.beginInit();
            handoffs.endInit(new RuntimeReportedError(LambdaErrorType.RUNTIME_START_ERROR,
                    "interrupted while waiting to start"));
            return interrupted;
        }
        return start(environment);
    }

    private synchronized Handoff<Void> start(Map<String, String> environment) {
        Handoff<Void> initDone = handoffs.beginInit();
        functionArn = RuntimeJson.functionArn(environment);
        ProcessBuilder builder = jvm.builder(environment, "127.0.0.1:" + apiPort, role);
        Process started;
        try {
            started = builder.start();
        } catch (IOException e) {
            handoffs.endInit(new RuntimeReportedError(LambdaErrorType.RUNTIME_START_ERROR,
                    "could not start the environment's JVM: " + e.getMessage()));
            return initDone;
        }
        jvmPid = started.pid();
        watch(started);
        return initDone;
    }

    /** A copy: CRIU restores the snapshot; the restore is over when the copy's runtime asks for its first event. */
    private synchronized Handoff<Void> restore() {
        Handoff<Void> initDone = handoffs.beginInit();
        Process restored;
        try {
            restored = snapshot.restore(this);
        } catch (IOException e) {
            handoffs.endInit(new RuntimeReportedError(LambdaErrorType.RUNTIME_RESTORE_ERROR,
                    "could not restore the snapshot: " + e.getMessage()));
            return initDone;
        }
        watch(restored);
        return initDone;
    }

    private void watch(Process started) {
        process = EnvironmentProcess.watch(started, "env-" + shortId(),
                line -> log.append(id(), handoffs.requestId(), line),
                status -> handoffs.exited(status, state() == State.DEAD));
    }

    @Override
    public Handoff<Object> invoke(Object event, EmulatedContext context) {
        Handoff<Object> done = new Handoff<>();
        String body;
        try {
            body = RuntimeJson.event(event);
        } catch (IOException e) {
            done.fail(new IllegalArgumentException("the event cannot be serialised to JSON: " + e.getMessage(), e));
            return done;
        }
        synchronized (this) {
            if (process == null || !process.alive()) {
                done.fail(new RuntimeReportedError(LambdaErrorType.RUNTIME_EXIT_ERROR,
                        "RequestId: " + context.getAwsRequestId() + " Error: Runtime exited"));
                return done;
            }
            invocations++;
            handoffs.beginInvocation(done, context.getAwsRequestId());
            parkRequested = false;
            if (frozen) { // never on Managed Instances, whose environments are not frozen
                Signals.get().send(Signals.Signal.CONT, jvmPid);
                frozen = false;
            }
            runtimeWaiting = false;
        }
        endpoint.dispatch(new RuntimeEndpoint.Event(context.getAwsRequestId(), body,
                System.currentTimeMillis() + context.getRemainingTimeInMillis(),
                functionArn, RuntimeJson.traceId(), null, null));
        return done;
    }

    @Override
    public synchronized void parked() {
        parkRequested = role.freezesWhenIdle();
        freezeIfParkedAndWaiting();
    }

    @Override
    public synchronized boolean frozen() {
        return frozen;
    }

    // ---------------------------------------------------------------- Runtime API events

    @Override
    public void runtimeWaiting() {
        synchronized (this) {
            runtimeWaiting = true;
            freezeIfParkedAndWaiting();
        }
        handoffs.endInit(null); // the first poll: init (for a copy: the restore) is over
    }

    /**
     * The runtime client called restore/next. The source is ready to be snapshotted: its init, hooks
     * included, is over, and the request stays unanswered. Anyone else gets the answer at once.
     */
    @Override
    public boolean restoreRequested() {
        if (role != EnvironmentRole.SNAPSHOT_SOURCE) {
            return true;
        }
        handoffs.endInit(null);
        return false;
    }

    @Override
    public void response(String requestId, String body) {
        handoffs.endInvocation(requestId, RuntimeJson.answer(body), null);
    }

    @Override
    public void invocationError(String requestId, String errorType, String body) {
        handoffs.endInvocation(requestId, null, RuntimeJson.error(errorType, body));
    }

    @Override
    public void initError(String errorType, String body) {
        handoffs.endInit(RuntimeJson.error(errorType, body));
    }

    @Override
    public boolean alive() {
        EnvironmentProcess running = process;
        return super.alive() && running != null && running.alive();
    }

    /** CPU time of the environment's JVM ({@code utime + stime} of /proc/PID/stat), for the Managed Instances scaler. */
    @Override
    public long cpuNanos() {
        long ticks = jvmPid > 0 ? Signals.cpuTicks(jvmPid) : -1;
        return ticks < 0 ? -1 : ticks * 10_000_000L; // USER_HZ: 100 ticks per second on Linux
    }

    /** Freezes the process when the emulator parked it and its runtime is waiting for the next event. */
    private void freezeIfParkedAndWaiting() {
        if (parkRequested && runtimeWaiting && !frozen && state() != State.DEAD && process != null && process.alive()) {
            frozen = Signals.get().send(Signals.Signal.STOP, jvmPid);
        }
    }

    // ---------------------------------------------------------------- the end

    @Override
    public void discard(String reason) {
        destroy(reason); // a process environment has nothing to keep: it ends as a killed one does
    }

    /** SIGKILL, stopped or not: no shutdown hook, no finally block runs; the kernel closes its sockets. */
    @Override
    public void destroy(String reason) {
        synchronized (this) {
            if (!markDead(reason)) {
                return;
            }
            frozen = false;
        }
        handoffs.startSlot().release();
        EnvironmentProcess running = process;
        if (running != null) {
            running.kill();
        }
        endpoint.close();
        if (ownApi != null) {
            ownApi.close();
        }
        if (snapshot != null) {
            snapshot.forget(this);
        }
    }

    @Override
    public int openSockets() {
        EnvironmentProcess running = process;
        if (running == null || !running.alive() || jvmPid < 0) {
            return 0;
        }
        return ProcessSockets.established(jvmPid, apiPort);
    }

    @Override
    public String toString() {
        return super.toString() + " pid " + processId() + (frozen ? " frozen" : "");
    }
}
