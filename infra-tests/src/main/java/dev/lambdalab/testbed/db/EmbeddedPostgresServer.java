package dev.lambdalab.testbed.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

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
                    .setDataDirectoryCustomizer(dataDirectory -> writeHba(dataDirectory.toPath()));
            serverConfig.forEach(builder::setServerConfig);
            postgres = builder.start();
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
                postgres.close(); // stops the server and deletes its data directory
            } catch (IOException e) {
                throw new UncheckedIOException("could not stop embedded PostgreSQL: " + e.getMessage(), e);
            } finally {
                postgres = null;
            }
        }
    }
}
