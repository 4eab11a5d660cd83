package dev.lambdalab.testbed.lambda;

import dev.lambdalab.testbed.lambda.Invocation.Outcome;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
 * Configure it with the {@code withX} methods before the first invocation, then call
 * {@link #invoke(Object)} from any number of threads. {@link #close()} ends every environment.
 */
public final class EmulatedFunction implements AutoCloseable {

    private static final DateTimeFormatter LOG_STREAM_DATE = DateTimeFormatter.ofPattern("yyyy/MM/dd");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String name;
    private final String handlerClass;
    private FunctionCode code;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private int memoryMb = 512;
    private Duration timeout = Duration.ofSeconds(15);
    private Duration initTimeout = Duration.ofSeconds(10);
    private Integer reservedConcurrency;
    private int accountConcurrency = 1000;
    private Duration idleReclaim;
    private String region = "us-east-1";
    private Isolation isolation = Isolation.CLASSLOADER;
    private List<String> jvmOptions = List.of();
    private JvmProfile jvmProfile = JvmProfile.fromEnvironment();
    private SnapStart snapStart = SnapStart.OFF;
    private Snapshot snapshot;

    private final Object lock = new Object();
    private final ArrayDeque<Sandbox> idle = new ArrayDeque<>();
    private final ConcurrentLinkedQueue<Sandbox> sandboxes = new ConcurrentLinkedQueue<>();
    private final FunctionMetrics.Recorder metrics = new FunctionMetrics.Recorder();
    private final FunctionLog log = new FunctionLog(20_000);
    private final ThreadGroup threads;
    private int inFlight;
    private boolean started;
    private boolean closed;
    private Map<String, String> frozenEnvironment;
    private ScheduledExecutorService reaper;

    /**
     * @param name the function name (FunctionName in template.yaml)
     * @param handlerClass the handler's class name; it must implement RequestHandler and have a
     *     no-argument constructor
     */
    public EmulatedFunction(String name, String handlerClass) {
        this.name = requireText(name, "name");
        this.handlerClass = requireText(handlerClass, "handlerClass");
        if (!name.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("name must be 1 to 64 letters, digits, '-' or '_', got \"" + name + "\"");
        }
        this.threads = new ThreadGroup("lambda-" + name);
    }

    /** The function's code; default: the project's functions and shared-db packages. */
    public EmulatedFunction withCode(FunctionCode code) {
        checkNotStarted();
        this.code = Objects.requireNonNull(code, "code");
        return this;
    }

    /** The function's environment variables, as template.yaml's Environment.Variables. */
    public EmulatedFunction withEnvironment(Map<String, String> variables) {
        checkNotStarted();
        Objects.requireNonNull(variables, "variables").forEach(this::withEnvironmentVariable);
        return this;
    }

    public EmulatedFunction withEnvironmentVariable(String key, String value) {
        checkNotStarted();
        requireText(key, "key");
        if (key.startsWith("AWS_LAMBDA_") || key.equals("AWS_REGION")) {
            throw new IllegalArgumentException("environment variable " + key + " is reserved: Lambda sets it");
        }
        environment.put(key, Objects.requireNonNull(value, "value of " + key));
        return this;
    }

    /** MemorySize: 128 to 10240 MB, as Lambda allows. Only reported: the emulator does not cap memory. */
    public EmulatedFunction withMemoryMb(int memoryMb) {
        checkNotStarted();
        if (memoryMb < 128 || memoryMb > 10_240) {
            throw new IllegalArgumentException("memoryMb must be from 128 to 10240, got " + memoryMb);
        }
        this.memoryMb = memoryMb;
        return this;
    }

    /** Timeout of an invocation: from 100 ms (below Lambda's 1 s minimum, for fast tests) to 900 s. */
    public EmulatedFunction withTimeout(Duration timeout) {
        checkNotStarted();
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.toMillis() < 100 || timeout.compareTo(Duration.ofSeconds(900)) > 0) {
            throw new IllegalArgumentException("timeout must be from 100ms to 900s, got " + timeout.toMillis() + "ms");
        }
        this.timeout = timeout;
        return this;
    }

    /** How long init may take before the environment fails (Lambda: 10 s). */
    public EmulatedFunction withInitTimeout(Duration initTimeout) {
        checkNotStarted();
        Objects.requireNonNull(initTimeout, "initTimeout");
        if (initTimeout.toMillis() < 100 || initTimeout.compareTo(Duration.ofSeconds(900)) > 0) {
            throw new IllegalArgumentException("initTimeout must be from 100ms to 900s, got "
                    + initTimeout.toMillis() + "ms");
        }
        this.initTimeout = initTimeout;
        return this;
    }

    /** ReservedConcurrentExecutions: at most this many environments at once; 0 throttles everything. */
    public EmulatedFunction withReservedConcurrency(int reservedConcurrency) {
        checkNotStarted();
        if (reservedConcurrency < 0 || reservedConcurrency > 10_000) {
            throw new IllegalArgumentException("reservedConcurrency must be from 0 to 10000, got " + reservedConcurrency);
        }
        this.reservedConcurrency = reservedConcurrency;
        return this;
    }

    /** The account's concurrency available to an unreserved function (Lambda's default quota: 1000). */
    public EmulatedFunction withAccountConcurrency(int accountConcurrency) {
        checkNotStarted();
        if (accountConcurrency < 1 || accountConcurrency > 100_000) {
            throw new IllegalArgumentException("accountConcurrency must be from 1 to 100000, got " + accountConcurrency);
        }
        this.accountConcurrency = accountConcurrency;
        return this;
    }

    /** Reclaim an environment idle this long (Lambda does so after minutes to hours; by default never). */
    public EmulatedFunction withIdleReclaim(Duration idleReclaim) {
        checkNotStarted();
        Objects.requireNonNull(idleReclaim, "idleReclaim");
        if (idleReclaim.toMillis() < 10) {
            throw new IllegalArgumentException("idleReclaim must be at least 10ms, got " + idleReclaim.toMillis() + "ms");
        }
        this.idleReclaim = idleReclaim;
        return this;
    }

    /**
     * How environments are isolated: class loaders in this JVM (the default: cheap, 1,000 per JVM) or a
     * JVM process each under AWS's runtime interface client, frozen between invocations.
     */
    public EmulatedFunction withIsolation(Isolation isolation) {
        checkNotStarted();
        this.isolation = Objects.requireNonNull(isolation, "isolation");
        return this;
    }

    /** Extra JVM flags for process environments, such as {@code -Dcom.zaxxer.hikari.housekeeping.periodMs=1000}. */
    /** The flags of process environments' JVMs ({@link JvmProfile}); default {@value JvmProfile#VARIABLE} or fast. */
    public EmulatedFunction withJvmProfile(JvmProfile profile) {
        checkNotStarted();
        this.jvmProfile = Objects.requireNonNull(profile, "profile");
        return this;
    }

    public JvmProfile jvmProfile() {
        return jvmProfile;
    }

    /**
     * SnapStart ({@link SnapStart}): with {@code SNAPSHOT}, the first invocation publishes the version (init
     * once, snapshot) and every cold start restores a copy. Needs {@link Isolation#PROCESS}.
     */
    public EmulatedFunction withSnapStart(SnapStart mode) {
        checkNotStarted();
        this.snapStart = Objects.requireNonNull(mode, "mode");
        return this;
    }

    public SnapStart snapStart() {
        return snapStart;
    }

    /**
     * Publishes the version now, as Lambda's PublishVersion: with {@link SnapStart#SNAPSHOT}, init runs once and
     * the snapshot is taken before this returns; otherwise the function just starts. The first invocation does
     * it when nothing else did.
     *
     * @throws IllegalStateException when the snapshot's init or dump failed, naming why
     */
    public EmulatedFunction publish() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("function " + name + " is closed");
            }
            if (!started) {
                start();
            }
        }
        return this;
    }

    /**
     * The snapshot's Init Duration (init and beforeCheckpoint hooks, Lambda's INIT_REPORT), or empty before
     * the version is published or without snapshots.
     */
    public Optional<Duration> snapshotInitDuration() {
        synchronized (lock) {
            return Optional.ofNullable(snapshot).map(Snapshot::initDuration);
        }
    }

    /** The host pids of the restored copies alive now, and the pid they all had when snapshotted. */
    public Optional<RestoredCopies> restoredCopies() {
        synchronized (lock) {
            if (snapshot == null) {
                return Optional.empty();
            }
            List<Long> pids = snapshot.copies().stream().map(ProcessSandbox::jvmPid).filter(pid -> pid > 0).sorted().toList();
            return Optional.of(new RestoredCopies(snapshot.sourcePid(), pids, snapshot.bytes(), snapshot.dumpDuration()));
        }
    }

    /**
     * The copies of a snapshot.
     *
     * @param snapshotPid the pid of the snapshotted JVM, which each copy has inside its own PID namespace
     * @param hostPids the copies' JVMs as this machine sees them
     * @param imageBytes the snapshot's size on disk
     * @param dumpDuration how long CRIU took to dump it
     */
    public record RestoredCopies(long snapshotPid, List<Long> hostPids, long imageBytes, Duration dumpDuration) {
    }

    public EmulatedFunction withJvmOptions(String... options) {
        checkNotStarted();
        for (String option : options) {
            if (option == null || !option.startsWith("-")) {
                throw new IllegalArgumentException("JVM options start with '-', got \"" + option + "\"");
            }
        }
        this.jvmOptions = List.of(options);
        return this;
    }

    public Isolation isolation() {
        return isolation;
    }

    /** AWS_REGION as the function sees it. */
    public EmulatedFunction withRegion(String region) {
        checkNotStarted();
        this.region = requireText(region, "region");
        return this;
    }

    public String name() {
        return name;
    }

    public Duration timeout() {
        return timeout;
    }

    /** The variables set with {@link #withEnvironment}, as Lambda's GetFunctionConfiguration lists them. */
    public Map<String, String> environmentVariables() {
        return Map.copyOf(environment);
    }

    public int memoryMb() {
        return memoryMb;
    }

    /** The concurrency limit that applies: the reserved concurrency if set, else the account's. */
    public int concurrencyLimit() {
        return reservedConcurrency != null ? reservedConcurrency : accountConcurrency;
    }

    public FunctionLog log() {
        return log;
    }

    public FunctionMetrics metrics() {
        synchronized (lock) {
            return metrics.snapshot(sandboxes, idle.size(), inFlight);
        }
    }

    /** Every environment created so far, alive or not. */
    public List<EnvironmentInfo> environments() {
        List<EnvironmentInfo> result = new ArrayList<>();
        for (Sandbox sandbox : sandboxes) {
            result.add(new EnvironmentInfo(sandbox.id(), sandbox.state().name(), sandbox.deathReason(),
                    sandbox.invocations(), sandbox.openSockets(), sandbox.frozen(), sandbox.processId()));
        }
        return result;
    }

    /**
     * A snapshot of one environment.
     *
     * @param id its id (the log stream's, and ExecutionEnvironment.id() inside it)
     * @param state NEW, IDLE, BUSY or DEAD
     * @param deathReason for DEAD: timed out, reclaimed, init failed, destroyed
     * @param invocations how many invocations it ran
     * @param openSockets database connections it holds (with {@link SandboxSocketFactory}, or the process's own)
     * @param frozen whether its process is stopped now (process isolation only)
     * @param processId its process's id (process isolation), else -1
     */
    public record EnvironmentInfo(String id, String state, String deathReason, int invocations, int openSockets,
            boolean frozen, long processId) {
    }

    /**
     * Invokes the function synchronously, like Lambda's Invoke API with RequestResponse. Never throws
     * for the function's own failures: they are outcomes of the returned {@link Invocation}.
     */
    public Invocation invoke(Object event) {
        String requestId = requestId();
        Sandbox sandbox;
        boolean cold = false;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("function " + name + " is closed");
            }
            if (!started) {
                start();
            }
            if (inFlight >= concurrencyLimit()) {
                metrics.throttled();
                TooManyRequestsException throttle = new TooManyRequestsException(
                        reservedConcurrency != null ? TooManyRequestsException.RESERVED : TooManyRequestsException.ACCOUNT);
                return new Invocation(requestId, Outcome.THROTTLED, null, throttle.getClass().getSimpleName(),
                        throttle.getMessage() + " Reason: " + throttle.reason(), null, false, Duration.ZERO, Duration.ZERO);
            }
            inFlight++;
            metrics.concurrency(inFlight);
            sandbox = idle.pollFirst();
            if (sandbox == null) {
                sandbox = newSandbox();
                cold = true;
            }
            sandbox.setState(Sandbox.State.BUSY);
        }
        try {
            Duration initDuration = Duration.ZERO;
            if (cold) {
                Init init = initialise(sandbox, requestId);
                if (init.failed() != null) {
                    return init.failed();
                }
                initDuration = init.duration();
                metrics.coldStart(initDuration);
            }
            return run(sandbox, event, requestId, cold, initDuration);
        } finally {
            synchronized (lock) {
                inFlight--;
                if (sandbox.state() != Sandbox.State.DEAD && !closed) {
                    sandbox.setState(Sandbox.State.IDLE);
                    sandbox.setLastUsedNanos(System.nanoTime());
                    idle.addFirst(sandbox);
                    sandbox.parked();
                }
            }
        }
    }

    /** A random (version 4) UUID from ThreadLocalRandom: unique enough for request ids, no SecureRandom lock. */
    private static String requestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    /** How init went: its duration, or the invocation that reports its failure. */
    private record Init(Duration duration, Invocation failed) {
    }

    /**
     * Runs init. Its duration counts from the moment init began: for a process environment that is when its
     * JVM was started, after any wait for a start slot (see {@link ProcessSandbox}), so Init Duration and the
     * init timeout count what Lambda counts.
     */
    private Init initialise(Sandbox sandbox, String requestId) {
        Map<String, String> variables = new LinkedHashMap<>(frozenEnvironment);
        if (snapStart == SnapStart.OFF) {
            variables.put("AWS_LAMBDA_LOG_STREAM_NAME", sandbox.logStreamName());
        }
        Handoff<Void> init = sandbox.init(handlerClass, variables);
        long start = System.nanoTime();
        try {
            init.await(initTimeout.toNanos());
            Duration duration = Duration.ofNanos(System.nanoTime() - start);
            if (snapStart != SnapStart.OFF) {
                // A SnapStart cold start has no Init Duration but a Restore Duration: restore, runtime, afterRestore hooks.
                log.append(sandbox.id(), requestId, String.format(Locale.ROOT, "RESTORE Restore Duration: %.2f ms (%s)",
                        duration.toNanos() / 1e6, snapStart == SnapStart.SNAPSHOT ? "restored from the snapshot"
                                : "hooks only: init ran, nothing was restored"));
            }
            return new Init(duration, null);
        } catch (TimeoutException e) {
            sandbox.discard("init timed out");
            metrics.initError("Sandbox.Timedout");
            return new Init(initTimeout, new Invocation(requestId, Outcome.INIT_ERROR, null, "Sandbox.Timedout",
                    String.format(Locale.ROOT, "Init timed out after %.2f seconds", initTimeout.toMillis() / 1000.0),
                    sandbox.id(), true, initTimeout, Duration.ZERO));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            sandbox.discard("init failed");
            String type = errorType(cause);
            metrics.initError(type);
            log.append(sandbox.id(), requestId, "INIT_REPORT Status: error Error Type: Runtime.InitError "
                    + type + ": " + cause.getMessage());
            return new Init(Duration.ZERO, new Invocation(requestId, Outcome.INIT_ERROR, null, type, cause.getMessage(),
                    sandbox.id(), true, Duration.ZERO, Duration.ZERO));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sandbox.discard("init interrupted");
            return new Init(Duration.ZERO, new Invocation(requestId, Outcome.INIT_ERROR, null, "Interrupted",
                    "the caller was interrupted", sandbox.id(), true, Duration.ZERO, Duration.ZERO));
        }
    }

    private Invocation run(Sandbox sandbox, Object event, String requestId, boolean cold, Duration initDuration) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        EmulatedContext context = new EmulatedContext(requestId, name, memoryMb, deadline, sandbox.id(),
                sandbox.logStreamName(), log);
        try {
            Object response = sandbox.invoke(event, context).await(timeout.toNanos());
            Duration duration = Duration.ofNanos(System.nanoTime() - start);
            metrics.succeeded(duration);
            return new Invocation(requestId, Outcome.SUCCESS, response, null, null, sandbox.id(), cold, initDuration,
                    duration);
        } catch (TimeoutException e) {
            // As Lambda: the caller gets the timeout now; the environment is not reused. Nothing in it is
            // closed, so a connection it holds stays open until the server or the proxy drops it.
            sandbox.discard("timed out");
            metrics.timedOut();
            String message = String.format(Locale.ROOT, "Task timed out after %.2f seconds", timeout.toMillis() / 1000.0);
            log.append(sandbox.id(), requestId, message);
            return new Invocation(requestId, Outcome.TIMED_OUT, null, "Sandbox.Timedout", message, sandbox.id(), cold,
                    initDuration, timeout);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            Duration duration = Duration.ofNanos(System.nanoTime() - start);
            String type = errorType(cause);
            metrics.functionError(type, duration);
            return new Invocation(requestId, Outcome.FUNCTION_ERROR, null, type,
                    cause.getMessage(), sandbox.id(), cold, initDuration, duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sandbox.discard("caller interrupted");
            return new Invocation(requestId, Outcome.FUNCTION_ERROR, null, "Interrupted", "the caller was interrupted",
                    sandbox.id(), cold, initDuration, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** The error type Lambda reports: the exception's class, or the one the runtime client reported. */
    private static String errorType(Throwable cause) {
        return cause instanceof RuntimeReportedError reported ? reported.errorType() : cause.getClass().getName();
    }

    private void start() {
        if (snapStart != SnapStart.OFF && isolation != Isolation.PROCESS) {
            throw new IllegalStateException("SnapStart needs process isolation: the runtime client runs its hooks");
        }
        SharedLibraryState.prepare();
        if (code == null) {
            code = FunctionCode.project();
        }
        Map<String, String> variables = new LinkedHashMap<>(environment);
        // What Lambda sets in every environment (the log stream is added per environment).
        variables.put("AWS_LAMBDA_FUNCTION_NAME", name);
        variables.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        variables.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(memoryMb));
        if (snapStart == SnapStart.OFF) {
            // Not in SnapStart functions ("Monitoring for Lambda SnapStart"): the snapshot would give every copy one.
            variables.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + name);
        }
        variables.put("AWS_REGION", region);
        variables.put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
        frozenEnvironment = Map.copyOf(variables);
        if (snapStart == SnapStart.SNAPSHOT) {
            takeSnapshot();
        }
        if (idleReclaim != null) {
            reaper = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "lambda-" + name + "-reaper");
                thread.setDaemon(true);
                return thread;
            });
            long periodMillis = Math.max(5, Math.min(1000, idleReclaim.toMillis() / 2));
            reaper.scheduleWithFixedDelay(this::reclaimIdle, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        }
        started = true;
    }

    /** Init once and the snapshot (Lambda's INIT_REPORT). Called under the lock. */
    private void takeSnapshot() {
        try {
            snapshot = Snapshot.take(name, ProcessRuntime.get(), handlerClass, memoryMb, jvmProfile, jvmOptions,
                    frozenEnvironment, initTimeout, log);
        } catch (IOException e) {
            throw new IllegalStateException("function " + name + ": the SnapStart snapshot failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("function " + name + ": interrupted while taking the snapshot", e);
        }
        log.append("snapshot", "-", String.format(Locale.ROOT,
                "INIT_REPORT Init Duration: %.2f ms Phase: init Status: success (snapshot of pid %d: %.1f MB, dumped in %d ms)",
                snapshot.initDuration().toNanos() / 1e6, snapshot.sourcePid(), snapshot.bytes() / 1e6,
                snapshot.dumpDuration().toMillis()));
    }

    private Sandbox newSandbox() {
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        String id = HexFormat.of().formatHex(random);
        String logStream = LocalDate.now(ZoneOffset.UTC).format(LOG_STREAM_DATE) + "/[$LATEST]" + id;
        Sandbox sandbox;
        if (isolation == Isolation.CLASSLOADER) {
            sandbox = new ClassLoaderSandbox(id, logStream, code, threads);
        } else if (snapStart == SnapStart.SNAPSHOT) {
            sandbox = new ProcessSandbox(id, logStream, snapshot, log);
        } else {
            sandbox = new ProcessSandbox(id, logStream, ProcessRuntime.get(), handlerClass, memoryMb, jvmProfile,
                    jvmOptions, log, snapStart == SnapStart.HOOKS_ONLY ? ProcessSandbox.Role.HOOKS_ONLY
                            : ProcessSandbox.Role.ON_DEMAND);
        }
        sandboxes.add(sandbox);
        metrics.environmentCreated();
        return sandbox;
    }

    private void reclaimIdle() {
        long now = System.nanoTime();
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

    /**
     * Ends every environment as if its process were killed: their sockets close, so the database sees
     * their connections go (only those opened through {@link SandboxSocketFactory}); their leftover
     * threads can no longer connect. Invocations still running finish, but their environments are not reused.
     */
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
        for (Sandbox sandbox : sandboxes) {
            sandbox.destroy("destroyed: the emulated function was closed");
        }
        Snapshot published;
        synchronized (lock) {
            published = snapshot;
        }
        if (published != null) {
            published.close();
        }
    }

    private void checkNotStarted() {
        synchronized (lock) {
            if (started) {
                throw new IllegalStateException("function " + name + " is already running: configure it before"
                        + " the first invocation");
            }
        }
    }

    private static String requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        return value;
    }

    @Override
    public String toString() {
        return "EmulatedFunction{" + name + ", handler=" + handlerClass + ", timeout=" + timeout.toMillis() + "ms"
                + ", concurrencyLimit=" + concurrencyLimit() + "}";
    }
}
