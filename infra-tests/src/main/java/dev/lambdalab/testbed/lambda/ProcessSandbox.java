package dev.lambdalab.testbed.lambda;

import dev.lambdalab.testbed.watchdog.Watchdog;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

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
 */
final class ProcessSandbox extends Sandbox implements RuntimeApiServer.Listener {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    /**
     * JVMs starting at once. In Lambda every environment has CPU of its own; here they share this machine's,
     * and twenty JVMs starting together on two cores each take ten times as long, past the init timeout.
     * Cold starts beyond this many wait for a slot; Init Duration counts from the JVM's start.
     */
    private static final Semaphore START_SLOTS = new Semaphore(Math.max(2, Runtime.getRuntime().availableProcessors()), true);

    private final ProcessRuntime runtime;
    private final String handlerClass;
    private final int memoryMb;
    private final JvmProfile profile;
    private final List<String> jvmOptions;
    private final FunctionLog log;
    private final RuntimeApiServer api;
    private Process process;
    private volatile int invocations;

    // Guarded by this: the runtime's poll, the emulator's wish to park it, and whether it is stopped.
    private boolean runtimeWaiting;
    private boolean parkRequested;
    private boolean frozen;
    private Handoff<Void> initDone;
    private final AtomicBoolean holdsStartSlot = new AtomicBoolean();
    private String functionArn = "arn:aws:lambda:us-east-1:000000000000:function:unknown";
    private Handoff<Object> current;
    private volatile String currentRequestId = "-";

    ProcessSandbox(String id, String logStreamName, ProcessRuntime runtime, String handlerClass, int memoryMb,
            JvmProfile profile, List<String> jvmOptions, FunctionLog log) {
        super(id, logStreamName);
        this.runtime = runtime;
        this.profile = profile;
        this.handlerClass = handlerClass;
        this.memoryMb = memoryMb;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.log = log;
        this.api = new RuntimeApiServer(this);
    }

    @Override
    int invocations() {
        return invocations;
    }

    @Override
    long processId() {
        return process == null ? -1 : process.pid();
    }

    /**
     * Starts the process. Init is done when the runtime client, having loaded and constructed the handler,
     * asks for its first event; it fails when the client reports an init error or the process exits.
     */
    @Override
    Handoff<Void> init(String handler, Map<String, String> environment) {
        try {
            START_SLOTS.acquire();
            holdsStartSlot.set(true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Handoff<Void> interrupted = new Handoff<>();
            interrupted.fail(new RuntimeReportedError("Runtime.StartError", "interrupted while waiting to start"));
            return interrupted;
        }
        return start(handler, environment);
    }

    /** Frees the start slot once init is over, however it ended. */
    private void releaseStartSlot() {
        if (holdsStartSlot.compareAndSet(true, false)) {
            START_SLOTS.release();
        }
    }

    private synchronized Handoff<Void> start(String handler, Map<String, String> environment) {
        initDone = new Handoff<>();
        functionArn = "arn:aws:lambda:" + environment.getOrDefault("AWS_REGION", "us-east-1") + ":000000000000:function:"
                + environment.getOrDefault("AWS_LAMBDA_FUNCTION_NAME", "unknown");
        // Only what Lambda gives a function, not the emulator's own environment.
        Map<String, String> variables = new LinkedHashMap<>();
        String path = System.getenv("PATH");
        variables.put("PATH", path == null ? "/usr/local/bin:/usr/bin:/bin" : path);
        variables.put("LANG", "en_US.UTF-8");
        variables.put("TZ", ":UTC");
        variables.put("LAMBDA_TASK_ROOT", runtime.taskRoot().toString());
        variables.put("_HANDLER", handler);
        variables.put("AWS_LAMBDA_RUNTIME_API", api.address());
        variables.putAll(environment);
        // As the managed Java runtime: C1 only (faster start), serial GC, heap from the memory setting; the fast
        // profile adds a class-data sharing archive and a heap that starts small (JvmProfile).
        int maxHeapMb = Math.max(64, memoryMb * 85 / 100);
        List<String> tail = new ArrayList<>(List.of("-Djava.net.preferIPv4Stack=true", runtime.jniOption()));
        tail.addAll(jvmOptions);
        tail.addAll(List.of("-cp", runtime.classPath(), ProcessRuntime.MAIN_CLASS, handler));
        Optional<Path> archive = Optional.empty();
        if (profile == JvmProfile.FAST) {
            List<String> training = new ArrayList<>(List.of(runtime.java().toString()));
            training.addAll(profile.flags(maxHeapMb, Optional.empty()));
            training.addAll(tail);
            archive = AppCdsArchive.forHandler(runtime, handler, training, variables);
        }
        List<String> command = new ArrayList<>(List.of(runtime.java().toString()));
        command.addAll(profile.flags(maxHeapMb, archive));
        command.addAll(tail);
        ProcessBuilder builder = new ProcessBuilder(command).directory(runtime.taskRoot().toFile());
        builder.environment().clear();
        builder.environment().putAll(variables);
        try {
            process = builder.start();
        } catch (IOException e) {
            releaseStartSlot();
            initDone.fail(new RuntimeReportedError("Runtime.StartError", "could not start the environment's JVM: "
                    + e.getMessage()));
            return initDone;
        }
        Watchdog.watchUntilExit(process.toHandle(), "KILL"); // no frozen JVM outlives the test bed
        pump(process.getInputStream(), "stdout");
        pump(process.getErrorStream(), "stderr");
        Thread exitWatch = new Thread(this::watchExit, "env-" + shortId() + "-exit");
        exitWatch.setDaemon(true);
        exitWatch.start();
        return initDone;
    }

    @Override
    Handoff<Object> invoke(Object event, EmulatedContext context) {
        Handoff<Object> done = new Handoff<>();
        String body;
        try {
            body = eventJson(event);
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
                Signals.get().send(Signals.Signal.CONT, process.pid());
                frozen = false;
            }
            runtimeWaiting = false;
        }
        api.dispatch(new RuntimeApiServer.Event(context.getAwsRequestId(), body,
                System.currentTimeMillis() + context.getRemainingTimeInMillis(),
                functionArn(), traceId(), null, null));
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
        if (init != null) {
            releaseStartSlot();
            init.complete(null); // the first poll: init is over
        }
    }

    @Override
    public void response(String requestId, String body) {
        Handoff<Object> done = take();
        if (done != null) {
            done.complete(decode(body));
        }
    }

    @Override
    public void invocationError(String requestId, String errorType, String body) {
        Handoff<Object> done = take();
        if (done != null) {
            done.fail(error(errorType, body));
        }
    }

    @Override
    public void initError(String errorType, String body) {
        Handoff<Void> init;
        synchronized (this) {
            init = initDone;
            initDone = null;
        }
        if (init != null) {
            releaseStartSlot();
            init.fail(error(errorType, body));
        }
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
            frozen = Signals.get().send(Signals.Signal.STOP, process.pid());
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
        releaseStartSlot();
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
        releaseStartSlot();
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        api.close();
    }

    @Override
    int openSockets() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return 0;
        }
        return ProcessSockets.established(p.pid(), api.port());
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

    private static String eventJson(Object event) throws IOException {
        if (event == null) {
            return "null";
        }
        if (event instanceof String text) {
            return text;
        }
        if (event instanceof APIGatewayV2HTTPEvent http) {
            return EventJson.httpApi(http);
        }
        return JSON.writeValueAsString(event);
    }

    /** The runtime's JSON answer as the handler returned it: an HTTP API response, else the JSON text. */
    private static Object decode(String body) {
        try {
            JsonNode tree = JSON.readTree(body);
            if (tree != null && tree.isObject() && tree.has("statusCode")) {
                return JSON.treeToValue(tree, APIGatewayV2HTTPResponse.class);
            }
        } catch (IOException e) {
            // not JSON: hand it back as text
        }
        return body;
    }

    private static RuntimeReportedError error(String typeHeader, String body) {
        String type = typeHeader;
        String message = body;
        try {
            JsonNode tree = JSON.readTree(body);
            if (tree != null && tree.isObject()) {
                type = tree.path("errorType").asText(typeHeader);
                message = tree.path("errorMessage").asText(body);
            }
        } catch (IOException e) {
            // the body is not the runtime client's JSON: keep it as the message
        }
        return new RuntimeReportedError(type, message);
    }

    private static String traceId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return String.format(Locale.ROOT, "Root=1-%08x-%024x;Parent=%016x;Sampled=0",
                System.currentTimeMillis() / 1000, random.nextLong() & 0xFFFFFFFFFFFFL, random.nextLong());
    }

    @Override
    public String toString() {
        return super.toString() + " pid " + processId() + (frozen ? " frozen" : "");
    }
}
