package dev.lambdalab.testbed.pgbouncer;

import dev.lambdalab.testbed.watchdog.Watchdog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real PgBouncer, from the OS package, run as a child process in transaction mode on a free
 * loopback port: the test bed's stand-in for RDS Proxy. Configure it with the {@code withX} methods,
 * {@link #start()} it (it returns once PgBouncer answers on its admin console), {@link #close()} it.
 *
 * <p>PgBouncer refuses to run as root; when the JVM is root, it is started as {@code nobody} (its
 * {@code -u} flag) and its files are handed to that user.
 *
 * <p>pgjdbc connects through it with {@code prepareThreshold=0}: in transaction mode a server-side
 * prepared statement would not survive the transaction that created it.
 */
public final class PgBouncer extends PgBouncerBase<PgBouncer> {

    private final Path binary;
    private String serverHost = "127.0.0.1";
    private int serverPort = 5432;
    private Duration startupTimeout = Duration.ofSeconds(15);

    private PgBouncerDirectory directory;
    private List<String> command;
    private Process process;
    private int port;

    /**
     * @throws PgBouncerNotFoundException when PgBouncer is not installed
     */
    public PgBouncer() {
        this(PgBouncerBinary.find().orElseThrow(PgBouncerNotFoundException::new));
    }

    public PgBouncer(Path binary) {
        this.binary = Objects.requireNonNull(binary, "binary");
        if (!Files.isExecutable(binary)) {
            throw new IllegalArgumentException("PgBouncer binary " + binary + " is not executable");
        }
    }

    /** The PostgreSQL server behind it. */
    public PgBouncer withServer(String host, int port) {
        this.serverHost = Objects.requireNonNull(host, "host");
        this.serverPort = checkPort(port, "server port");
        return this;
    }

    /**
     * Starts PgBouncer and waits until its admin console answers.
     *
     * @throws IllegalStateException with the tail of PgBouncer's log when it does not come up
     */
    public PgBouncer start() {
        if (process != null) {
            throw new IllegalStateException("PgBouncer is already running");
        }
        try {
            port = freePort();
            directory = PgBouncerDirectory.write(config(serverHost, serverPort, "127.0.0.1", port, "127.0.0.1/32"));
            List<String> command = new ArrayList<>(List.of(binary.toString()));
            if (directory.runAsNobody()) {
                command.addAll(List.of("-u", "nobody"));
            }
            command.add(directory.config().toString());
            this.command = List.copyOf(command);
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start PgBouncer: " + e.getMessage(), e);
        }
        awaitAdminConsole();
        return this;
    }

    private void launch() throws IOException {
        process = startProcess();
        Watchdog.watchUntilExit(process.toHandle(), "TERM"); // stopped even if the test bed's JVM is killed
    }

    private Process startProcess() throws IOException {
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.log().toFile()))
                .start();
    }

    /**
     * A hard restart, as a crashed or replaced proxy would do: SIGTERM (PgBouncer's immediate shutdown,
     * which drops every client and server connection), {@code downtime} with nothing listening, then the
     * same configuration on the same port. Returns once the admin console answers again.
     */
    @Override
    public synchronized void restart(Duration downtime) {
        if (!isRunning()) {
            throw new IllegalStateException("PgBouncer is not running");
        }
        closeAdmin();
        try {
            stop();
            Thread.sleep(downtime.toMillis());
            launch();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while restarting PgBouncer", e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start PgBouncer again: " + e.getMessage(), e);
        }
        awaitAdminConsole();
    }

    private void awaitAdminConsole() {
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String log = logTail();
                close();
                throw new IllegalStateException("PgBouncer exited with code " + process.exitValue() + ": " + log);
            }
            try {
                admin = openAdmin(host(), port);
                return;
            } catch (IOException e) {
                last = e;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException("interrupted while waiting for PgBouncer", e);
            }
        }
        String log = logTail();
        close();
        throw new IllegalStateException("PgBouncer did not answer within " + startupTimeout.toSeconds() + "s ("
                + (last == null ? "no attempt" : last.getMessage()) + "): " + log);
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    /** The PgBouncer process's id while it runs (with -u it keeps the pid it started with). */
    public long pid() {
        if (process == null) {
            throw new IllegalStateException("PgBouncer is not running");
        }
        return process.pid();
    }

    @Override
    public Optional<ProcessHandle> process() {
        return process == null ? Optional.empty() : Optional.of(process.toHandle());
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The last lines PgBouncer wrote, for error messages. */
    public String logTail() {
        return directory == null ? "" : directory.logTail();
    }

    /** Stops PgBouncer (SIGTERM, then SIGKILL after 5 s) and deletes its files. */
    @Override
    public synchronized void close() {
        closeAdmin();
        if (process != null) {
            try {
                stop();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        if (directory != null) {
            directory.close();
            directory = null;
        }
    }

    /** SIGTERM (PgBouncer's immediate shutdown, dropping every connection), then SIGKILL after 5 s. */
    private void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static int checkPort(int port, String what) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(what + " must be from 1 to 65535, got " + port);
        }
        return port;
    }
}
