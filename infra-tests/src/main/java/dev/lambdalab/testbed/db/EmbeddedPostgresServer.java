package dev.lambdalab.testbed.db;

import dev.lambdalab.testbed.watchdog.Watchdog;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * PostgreSQL 17 started from zonky's embedded binaries, on a free loopback port, in a temporary data
 * directory that is deleted on {@link #close()}. Unlike zonky's default, which trusts every local
 * connection, it asks every role but the superuser for its password (SCRAM), so authentication errors
 * are real. Works as root too (zonky runs PostgreSQL through {@code unshare}).
 */
public final class EmbeddedPostgresServer implements PostgresServer {

    private final int maxConnections;
    private final Map<String, String> serverConfig = new LinkedHashMap<>();
    private EmbeddedPostgres postgres;
    private Path dataDirectory;
    private String version;

    /**
     * @param maxConnections the server's max_connections: well above the application role's limit, so
     *     that the role's limit is what the scenarios hit (as on a managed database)
     */
    public EmbeddedPostgresServer(int maxConnections) {
        if (maxConnections < 20 || maxConnections > 5000) {
            throw new IllegalArgumentException("maxConnections must be from 20 to 5000, got " + maxConnections);
        }
        this.maxConnections = maxConnections;
    }

    /** A server setting, such as {@code idle_session_timeout}. */
    public EmbeddedPostgresServer withServerConfig(String name, String value) {
        serverConfig.put(name, value);
        return this;
    }

    /** Starts the server. */
    public EmbeddedPostgresServer start() {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("max_connections", Integer.toString(maxConnections))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("password_encryption", "scram-sha-256")
                    .setDataDirectoryCustomizer(directory -> {
                        dataDirectory = directory.toPath();
                        writeHba(dataDirectory);
                    });
            serverConfig.forEach(builder::setServerConfig);
            postgres = builder.start();
            watchPostmaster();
            try (Connection connection = superuserConnection("postgres");
                    Statement statement = connection.createStatement();
                    ResultSet result = statement.executeQuery("SHOW server_version")) {
                result.next();
                version = result.getString(1);
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start embedded PostgreSQL: " + e.getMessage(), e);
        } catch (SQLException e) {
            throw new IllegalStateException("embedded PostgreSQL started but does not answer: " + e.getMessage(), e);
        }
    }

    /**
     * Has this JVM's {@link Watchdog} stop the postmaster (fast shutdown) and delete the data directory if the
     * JVM dies without closing the server: pg_ctl daemonises PostgreSQL, so nothing else would.
     */
    private void watchPostmaster() throws IOException {
        List<String> lines = Files.readAllLines(dataDirectory.resolve("postmaster.pid"));
        ProcessHandle.of(Long.parseLong(lines.get(0).strip()))
                .ifPresent(postmaster -> Watchdog.watchUntilExit(postmaster, "INT"));
        Watchdog.watchDirectory(dataDirectory);
    }

    @Override
    public boolean restartable() {
        return postgres != null;
    }

    /**
     * Stops the server as an operator's restart or a failover would (pg_ctl's fast mode: every session is
     * ended with 57P01 "terminating connection due to administrator command"), leaves the port closed for
     * {@code downtime}, then starts it again with the options it first ran with (pg_ctl reads them back
     * from postmaster.opts). Returns once it accepts connections again.
     */
    @Override
    public synchronized void restart(Duration downtime) {
        if (postgres == null) {
            throw new IllegalStateException("embedded PostgreSQL is not running");
        }
        try {
            // The first word of postmaster.opts is the postgres binary zonky extracted; pg_ctl is beside it.
            String options = Files.readString(dataDirectory.resolve("postmaster.opts")).strip();
            Path pgCtl = Path.of(options.substring(0, options.indexOf(' '))).resolveSibling("pg_ctl");
            pgCtl("stop", pgCtl, "-m", "fast");
            Thread.sleep(downtime.toMillis());
            // "restart" of a stopped server starts it with the options in postmaster.opts (pg_ctl docs).
            pgCtl("restart", pgCtl, "-l", dataDirectory.resolve("restarted.log").toString());
            watchPostmaster(); // a new postmaster
        } catch (IOException e) {
            throw new UncheckedIOException("could not restart embedded PostgreSQL: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while restarting embedded PostgreSQL", e);
        }
    }

    private void pgCtl(String action, Path pgCtl, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (LinuxUtils.isUnshareAvailable()) {
            command.addAll(List.of("unshare", "-U")); // as zonky runs it: PostgreSQL refuses to run as root
        }
        command.addAll(List.of(pgCtl.toString(), "-D", dataDirectory.toString(), "-w", "-t", "60"));
        command.addAll(List.of(options));
        command.add(action);
        Path output = Files.createTempFile("testbed-pg_ctl-", ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                    .start();
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("pg_ctl " + action + " did not finish within 90s");
            }
            if (process.exitValue() != 0) {
                throw new IOException("pg_ctl " + action + " exited with " + process.exitValue() + ": "
                        + Files.readString(output).strip().replace('\n', ' '));
            }
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** Superuser on loopback: trusted (only the test bed has it). Everyone else: SCRAM password. */
    private static void writeHba(Path dataDirectory) {
        try {
            Files.writeString(dataDirectory.resolve("pg_hba.conf"), """
                    # Written by the test bed: the superuser is trusted on loopback, every other role needs its password.
                    local all postgres              trust
                    host  all postgres 127.0.0.1/32 trust
                    local all all                   scram-sha-256
                    host  all all      127.0.0.1/32 scram-sha-256
                    """);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return postgres.getPort();
    }

    @Override
    public String superuser() {
        return "postgres";
    }

    @Override
    public String superuserPassword() {
        return null;
    }

    public int maxConnections() {
        return maxConnections;
    }

    @Override
    public String description() {
        return "embedded PostgreSQL " + version + " (zonky), max_connections " + maxConnections;
    }

    @Override
    public void close() {
        if (postgres != null) {
            try {
                Watchdog.forgetDirectory(dataDirectory);
                postgres.close(); // stops the server and deletes its data directory
            } catch (IOException e) {
                throw new UncheckedIOException("could not stop embedded PostgreSQL: " + e.getMessage(), e);
            } finally {
                postgres = null;
            }
        }
    }
}
