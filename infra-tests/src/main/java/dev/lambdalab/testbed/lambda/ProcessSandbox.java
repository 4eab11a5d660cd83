package dev.lambdalab.testbed.lambda;

import dev.lambdalab.testbed.watchdog.Watchdog;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
 * <p>With SnapStart ({@link SnapStart}) it has one of three other {@link Role}s: the environment that is
 * initialised and then snapshotted, a copy restored from that snapshot, or (hooks only) an environment that
 * runs the same hook sequence without a snapshot.
 */
final class ProcessSandbox extends Sandbox implements RuntimeEndpoint.Listener {

    /** What part the environment plays in SnapStart. */
    enum Role {
        /** No SnapStart: init on demand, at the cold start. */
        ON_DEMAND,
        /** Init in snap-start mode; once its beforeCheckpoint hooks ran, it is snapshotted ({@link Snapshot}). */
        SNAPSHOT_SOURCE,
        /** Restored from a snapshot by CRIU; its restore ends when its afterRestore hooks ran. */
        RESTORED_COPY,
        /** Init in snap-start mode and its restore answered at once: the hooks run, nothing is snapshotted. */
        HOOKS_ONLY
    }

    /** Lambda's runtime passes it: org.crac's hooks go to the runtime client's context (see functions/pom.xml). */
    static final String CRAC_COMPAT = "-Dorg.crac.Core.Compat=com.amazonaws.services.lambda.crac";
    private final EnvironmentJvm jvm;
    private final FunctionLog log;
    private final Role role;
    private final Snapshot snapshot;
    private final RuntimeEndpoint endpoint = new RuntimeEndpoint(this);
    /** Its own Runtime API, or null for a copy (the snapshot's, shared) and a source (the snapshot's too). */
    private final RuntimeApiServer ownApi;
    private final int apiPort;
    private Process process;
    /** The JVM's pid: the process's, or for a copy the restored JVM's, found when it first calls the API. */
    private volatile long jvmPid = -1;
    private volatile int invocations;

    // Guarded by this: the runtime's poll, the emulator's wish to park it, and whether it is stopped.
    private boolean runtimeWaiting;
    private boolean parkRequested;
    private boolean frozen;
    private Handoff<Void> initDone;
    private final StartSlot startSlot = new StartSlot();
    private String functionArn = "arn:aws:lambda:us-east-1:000000000000:function:unknown";
    private Handoff<Object> current;
    private volatile String currentRequestId = "-";

    /** An environment of the given role, other than a restored copy. */
    ProcessSandbox(String id, String logStreamName, EnvironmentJvm jvm, FunctionLog log, Role role) {
        this(id, logStreamName, jvm, log, role, null, null);
    }

    /** The environment a snapshot is taken of: its Runtime API is the snapshot's, whose port the copies keep. */
    ProcessSandbox(String id, EnvironmentJvm jvm, FunctionLog log, RuntimeApiServer snapshotApi) {
        this(id, "", jvm, log, Role.SNAPSHOT_SOURCE, null, Objects.requireNonNull(snapshotApi, "snapshotApi"));
    }

    /** A copy restored from the snapshot. */
    ProcessSandbox(String id, String logStreamName, Snapshot snapshot, FunctionLog log) {
        this(id, logStreamName, snapshot.jvm(), log, Role.RESTORED_COPY, Objects.requireNonNull(snapshot, "snapshot"),
                null);
    }

    private ProcessSandbox(String id, String logStreamName, EnvironmentJvm jvm, FunctionLog log, Role role,
            Snapshot snapshot, RuntimeApiServer snapshotApi) {
        super(id, logStreamName);
        this.jvm = Objects.requireNonNull(jvm, "jvm");
        this.log = log;
        this.role = role;
        this.snapshot = snapshot;
        if (role == Role.RESTORED_COPY) {
            this.ownApi = null;
            this.apiPort = snapshot.apiPort();
        } else if (role == Role.SNAPSHOT_SOURCE) {
            this.ownApi = null;
            this.apiPort = snapshotApi.port();
            snapshotApi.reroute(caller -> endpoint);
        } else {
            this.ownApi = new RuntimeApiServer(endpoint);
            this.apiPort = ownApi.port();
        }
    }

    Role role() {
        return role;
    }

    RuntimeEndpoint endpoint() {
        return endpoint;
    }

    /** The process CRIU runs (for a copy: {@code unshare}), whose descendants include the JVM. */
    Process process() {
        return process;
    }

    /** A copy's JVM, found by the snapshot's Runtime API when it first called. */
    void boundToJvm(long pid) {
        jvmPid = pid;
    }

    long jvmPid() {
        return jvmPid;
    }

    @Override
    int invocations() {
        return invocations;
    }

    @Override
    long processId() {
        return jvmPid;
    }

    /**
     * Starts the process. Init is done when the runtime client, having loaded and constructed the handler,
     * asks for its first event; it fails when the client reports an init error or the process exits.
     */
    @Override
    Handoff<Void> init(String handler, Map<String, String> environment) {
        if (role == Role.RESTORED_COPY) {
            return restore();
        }
        try {
            startSlot.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Handoff<Void> interrupted = new Handoff<>();
            interrupted.fail(new RuntimeReportedError("Runtime.StartError", "interrupted while waiting to start"));
            return interrupted;
        }
        return start(environment);
    }

    private synchronized Handoff<Void> start(Map<String, String> environment) {
        initDone = new Handoff<>();
        functionArn = "arn:aws:lambda:" + environment.getOrDefault("AWS_REGION", "us-east-1") + ":000000000000:function:"
                + environment.getOrDefault("AWS_LAMBDA_FUNCTION_NAME", "unknown");
        ProcessBuilder builder = jvm.builder(environment, "127.0.0.1:" + apiPort, role);
        try {
            process = builder.start();
        } catch (IOException e) {
            startSlot.release();
            initDone.fail(new RuntimeReportedError("Runtime.StartError", "could not start the environment's JVM: "
                    + e.getMessage()));
            return initDone;
        }
        jvmPid = process.pid();
        watch();
        return initDone;
    }

    /** A copy: CRIU restores the snapshot; the restore is over when the copy's runtime asks for its first event. */
    private synchronized Handoff<Void> restore() {
        initDone = new Handoff<>();
        try {
            process = snapshot.restore(this);
        } catch (IOException e) {
            initDone.fail(new RuntimeReportedError("Runtime.RestoreError", "could not restore the snapshot: "
                    + e.getMessage()));
            return initDone;
        }
        watch();
        return initDone;
    }

    private void watch() {
        Watchdog.watchUntilExit(process.toHandle(), "KILL"); // no frozen JVM outlives the test bed
        pump(process.getInputStream(), "stdout");
        pump(process.getErrorStream(), "stderr");
        Thread exitWatch = new Thread(this::watchExit, "env-" + shortId() + "-exit");
        exitWatch.setDaemon(true);
        exitWatch.start();
    }

    @Override
    Handoff<Object> invoke(Object event, EmulatedContext context) {
        Handoff<Object> done = new Handoff<>();
        String body;
        try {
            body = RuntimeJson.event(event);
        } catch (IOException e) {
            done.fail(new IllegalArgumentException("the event cannot be serialised to JSON: " + e.getMessage(), e));
            return done;
        }
        synchronized (this) {
            if (process == null || !process.isAlive()) {
                done.fail(new RuntimeReportedError("Runtime.ExitError", "RequestId: " + context.getAwsRequestId()
                        + " Error: Runtime exited"));
                return done;
            }
            invocations++;
            current = done;
            currentRequestId = context.getAwsRequestId();
            parkRequested = false;
            if (frozen) {
                Signals.get().send(Signals.Signal.CONT, jvmPid);
                frozen = false;
            }
            runtimeWaiting = false;
        }
        endpoint.dispatch(new RuntimeEndpoint.Event(context.getAwsRequestId(), body,
                System.currentTimeMillis() + context.getRemainingTimeInMillis(),
                functionArn(), RuntimeJson.traceId(), null, null));
        return done;
    }

    private synchronized String functionArn() {
        return functionArn;
    }

    @Override
    synchronized void parked() {
        parkRequested = true;
        freezeIfParkedAndWaiting();
    }

    @Override
    synchronized boolean frozen() {
        return frozen;
    }

    // ---------------------------------------------------------------- Runtime API events

    @Override
    public void runtimeWaiting() {
        Handoff<Void> init;
        synchronized (this) {
            runtimeWaiting = true;
            init = initDone;
            initDone = null;
            freezeIfParkedAndWaiting();
        }
        endInit(init, null); // the first poll: init (for a copy: the restore) is over
    }

    /** Ends init, however it went: frees the start slot and hands the outcome over. */
    private void endInit(Handoff<Void> init, Throwable failure) {
        if (init == null) {
            return;
        }
        startSlot.release();
        if (failure == null) {
            init.complete(null);
        } else {
            init.fail(failure);
        }
    }

    private synchronized Handoff<Void> takeInit() {
        Handoff<Void> init = initDone;
        initDone = null;
        return init;
    }

    /**
     * The runtime client called restore/next. The source is ready to be snapshotted: its init, hooks
     * included, is over, and the request stays unanswered. Anyone else gets the answer at once.
     */
    @Override
    public boolean restoreRequested() {
        if (role != Role.SNAPSHOT_SOURCE) {
            return true;
        }
        endInit(takeInit(), null);
        return false;
    }

    @Override
    public void response(String requestId, String body) {
        Handoff<Object> done = take();
        if (done != null) {
            done.complete(RuntimeJson.answer(body));
        }
    }

    @Override
    public void invocationError(String requestId, String errorType, String body) {
        Handoff<Object> done = take();
        if (done != null) {
            done.fail(RuntimeJson.error(errorType, body));
        }
    }

    @Override
    public void initError(String errorType, String body) {
        endInit(takeInit(), RuntimeJson.error(errorType, body));
    }

    private synchronized Handoff<Object> take() {
        Handoff<Object> done = current;
        current = null;
        currentRequestId = "-";
        return done;
    }

    /** Freezes the process when the emulator parked it and its runtime is waiting for the next event. */
    private void freezeIfParkedAndWaiting() {
        if (parkRequested && runtimeWaiting && !frozen && state() != State.DEAD && process != null && process.isAlive()) {
            frozen = Signals.get().send(Signals.Signal.STOP, jvmPid);
        }
    }

    private void watchExit() {
        int code;
        try {
            code = process.waitFor();
        } catch (InterruptedException e) {
            return;
        }
        RuntimeReportedError exited = new RuntimeReportedError("Runtime.ExitError",
                "RequestId: " + currentRequestId + " Error: Runtime exited with error: exit status " + code);
        Handoff<Void> init;
        Handoff<Object> running;
        synchronized (this) {
            init = initDone;
            initDone = null;
            running = current;
            current = null;
        }
        startSlot.release();
        if (init != null) {
            init.fail(exited);
        }
        if (running != null && state() != State.DEAD) {
            running.fail(exited);
        }
    }

    // ---------------------------------------------------------------- the end

    @Override
    void discard(String reason) {
        destroy(reason);
    }

    /** SIGKILL, stopped or not: no shutdown hook, no finally block runs; the kernel closes its sockets. */
    @Override
    void destroy(String reason) {
        synchronized (this) {
            if (!markDead(reason)) {
                return;
            }
            frozen = false;
        }
        startSlot.release();
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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
    int openSockets() {
        Process p = process;
        if (p == null || !p.isAlive() || jvmPid < 0) {
            return 0;
        }
        return ProcessSockets.established(jvmPid, apiPort);
    }

    // ---------------------------------------------------------------- plumbing

    private void pump(InputStream stream, String name) {
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    log.append(id(), currentRequestId, line);
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, "env-" + shortId() + "-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    @Override
    public String toString() {
        return super.toString() + " pid " + processId() + (frozen ? " frozen" : "");
    }
}
