package dev.lambdalab.testbed.lambda.snapstart;

import dev.lambdalab.testbed.lambda.process.EnvironmentJvm;
import dev.lambdalab.testbed.lambda.process.ProcessSandbox;
import dev.lambdalab.testbed.lambda.process.ProcessSockets;
import dev.lambdalab.testbed.lambda.process.RestoreSource;
import dev.lambdalab.testbed.lambda.process.RuntimeApiServer;
import dev.lambdalab.testbed.lambda.process.RuntimeEndpoint;
import dev.lambdalab.testbed.lambda.sandbox.FunctionLog;
import dev.lambdalab.testbed.watchdog.Watchdog;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;


/**
 * A SnapStart snapshot of one function version: one environment initialised in snap-start mode, its
 * {@code beforeCheckpoint} hooks run, dumped by {@link Criu}; and the copies restored from it, each in
 * its own PID and mount namespaces, all talking to the one Runtime API whose address is in the snapshot.
 *
 * <p>What differs from Lambda's Firecracker snapshots, and why it does not change the lesson:
 * <ul>
 *   <li>Sockets: a copy's TCP connections are restored closed ({@code --tcp-close}); in Lambda they are
 *       restored open but their peers forgot them. Either way the pool's connection from init is dead.</li>
 *   <li>Clocks: each copy restores in a time namespace of its own, so {@code System.nanoTime()} goes on from
 *       the moment of the dump, while the wall clock shows the real time: as in Lambda, where the guest's
 *       monotonic clock does not count the time the snapshot was stored.</li>
 *   <li>Randomness: a copy has the snapshot's memory, so every seed made during init (a
 *       {@code java.util.Random}, an id) is the same in every copy, as in Lambda; only what reads the kernel
 *       after the restore differs.</li>
 *   <li>Process ids: every copy has the snapshot's pid inside its namespace, as every Lambda copy has.</li>
 * </ul>
 */
public final class Snapshot implements RestoreSource, AutoCloseable {

    /**
     * How long init's background threads get before the dump, after the runtime called restore/next. HikariCP
     * opens the pool's minimum idle connection on a thread of its own during init; Lambda takes minutes to
     * publish a version, so by then that thread is long done. Without this pause the dump could catch it
     * half-way through a login, and the naive scenario's outcome would vary from run to run.
     */
    static final Duration SETTLE = Duration.ofMillis(500);
    private static final AtomicInteger RESTORES = new AtomicInteger();

    private final EnvironmentJvm jvm;
    private final RuntimeApiServer api;
    private final Path directory;
    private final Criu criu;
    private final Map<ProcessSandbox, Boolean> copies = new ConcurrentHashMap<>();
    private final Map<Integer, ProcessSandbox> byPort = new ConcurrentHashMap<>();
    private Duration initDuration = Duration.ZERO;
    private Duration dumpDuration = Duration.ZERO;
    private long sourcePid;
    private String stdoutPipe;
    private String stderrPipe;

    private Snapshot(EnvironmentJvm jvm, Criu criu) throws IOException {
        this.jvm = jvm;
        this.criu = criu;
        this.directory = Files.createTempDirectory("testbed-snapshot-");
        Watchdog.watchDirectory(directory);
        this.api = new RuntimeApiServer(caller -> null);
    }

    /**
     * Publishes a version: starts one environment in snap-start mode, waits until its runtime called
     * restore/next (init and the beforeCheckpoint hooks are over), lets it settle, and dumps it. The
     * environment is gone afterwards.
     *
     * @throws IOException when init failed, timed out, or the dump failed; the message says which
     */
    public static Snapshot take(String functionName, EnvironmentJvm jvm, Map<String, String> environment,
            Duration initTimeout, FunctionLog log) throws IOException, InterruptedException {
        Snapshot snapshot = new Snapshot(jvm, Criu.get());
        boolean taken = false;
        try {
            snapshot.dumpSource(functionName, environment, initTimeout, log);
            taken = true;
            return snapshot;
        } finally {
            if (!taken) {
                snapshot.close();
            }
        }
    }

    private void dumpSource(String functionName, Map<String, String> environment, Duration initTimeout,
            FunctionLog log) throws IOException, InterruptedException {
        ProcessSandbox source = new ProcessSandbox("snapshot-" + functionName, jvm, log, api);
        long start = System.nanoTime();
        try {
            source.init(jvm.handler(), environment).await(initTimeout.toNanos());
            initDuration = Duration.ofNanos(System.nanoTime() - start);
        } catch (TimeoutException e) {
            source.destroy("init timed out");
            throw new IOException("the snapshot's init did not finish within " + initTimeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            source.destroy("init failed");
            throw new IOException("the snapshot's init failed: " + e.getCause().getMessage(), e.getCause());
        }
        Thread.sleep(SETTLE.toMillis());
        sourcePid = source.processId();
        stdoutPipe = Files.readSymbolicLink(Path.of("/proc", Long.toString(sourcePid), "fd", "1")).toString();
        stderrPipe = Files.readSymbolicLink(Path.of("/proc", Long.toString(sourcePid), "fd", "2")).toString();
        long dumpStart = System.nanoTime();
        try {
            criu.dump(sourcePid, directory);
        } finally {
            dumpDuration = Duration.ofNanos(System.nanoTime() - dumpStart);
            source.destroy("snapshotted");
        }
        api.reroute(this::route);
    }

    /** The JVM the snapshot was taken of, which every copy is. */
    @Override
    public EnvironmentJvm jvm() {
        return jvm;
    }

    @Override
    public int apiPort() {
        return api.port();
    }

    /** Init of the snapshotted environment, beforeCheckpoint hooks included: Lambda's INIT_REPORT. */
    public Duration initDuration() {
        return initDuration;
    }

    public Duration dumpDuration() {
        return dumpDuration;
    }

    /** The pid the snapshotted JVM had, which every copy has inside its namespace. */
    public long sourcePid() {
        return sourcePid;
    }

    /** Size of the snapshot's files. */
    public long bytes() {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).mapToLong(path -> path.toFile().length()).sum();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Starts restoring a copy; its stdout and stderr are the returned process's. */
    @Override
    public Process restore(ProcessSandbox copy) throws IOException {
        copies.put(copy, Boolean.TRUE);
        String logName = "restore-" + RESTORES.incrementAndGet() + ".log";
        try {
            return criu.restoreProcess(directory, logName, stdoutPipe, stderrPipe)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            copies.remove(copy);
            throw new IOException(e.getMessage() + " (" + Criu.tail(directory.resolve(logName), "") + ")", e);
        }
    }

    /** The copy is gone. */
    @Override
    public void forget(ProcessSandbox copy) {
        copies.remove(copy);
        byPort.values().removeIf(known -> known == copy);
    }

    /** Copies alive now, with their JVMs' host pids (-1 until a copy first called the Runtime API). */
    public Set<ProcessSandbox> copies() {
        return Set.copyOf(copies.keySet());
    }

    /**
     * Which copy a Runtime API connection comes from: the one whose JVM holds the socket (from /proc). A
     * copy's first call is its restore/next; its JVM's host pid is learned then.
     */
    private RuntimeEndpoint route(InetSocketAddress caller) {
        ProcessSandbox known = byPort.get(caller.getPort());
        if (known != null && copies.containsKey(known)) {
            return known.endpoint();
        }
        for (ProcessSandbox copy : copies.keySet()) {
            long pid = copy.processId() > 0 ? copy.processId() : jvmOf(copy).orElse(-1L);
            if (pid > 0 && ProcessSockets.holdsConnection(pid, caller.getPort(), api.port())) {
                copy.boundToJvm(pid);
                byPort.put(caller.getPort(), copy);
                return copy.endpoint();
            }
        }
        return null;
    }

    /** The restored JVM below a copy's {@code unshare}: the descendant that runs java. */
    private static Optional<Long> jvmOf(ProcessSandbox copy) {
        Process process = copy.process();
        if (process == null) {
            return Optional.empty();
        }
        return process.toHandle().descendants()
                .filter(handle -> handle.info().command().map(command -> command.endsWith("/java")).orElse(false))
                .map(ProcessHandle::pid)
                .findFirst();
    }

    @Override
    public void close() {
        for (ProcessSandbox copy : copies.keySet()) {
            copy.destroy("the function closed");
        }
        api.close();
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the snapshot in " + directory, e);
        } finally {
            Watchdog.forgetDirectory(directory);
        }
    }
}
