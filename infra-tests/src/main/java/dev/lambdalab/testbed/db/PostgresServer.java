package dev.lambdalab.testbed.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * A PostgreSQL server the test bed can administer: embedded (the default), external, or a container.
 * The test bed connects as a superuser to set up roles and to inject faults; the functions never do.
 */
public interface PostgresServer extends AutoCloseable {

    String host();

    int port();

    /** Host that containers on the server's Docker network reach it at; the same as {@link #host()} outside Docker. */
    default String networkHost() {
        return host();
    }

    /** Port that containers on the server's Docker network reach it at. */
    default int networkPort() {
        return port();
    }

    /** The superuser's name. */
    String superuser();

    /** The superuser's password, or {@code null} when the server trusts the superuser on loopback. */
    String superuserPassword();

    /** What the server is, for reports: {@code embedded PostgreSQL 17.6 (zonky)}. */
    String description();

    /** Whether {@link #restart} works for this server. */
    default boolean restartable() {
        return false;
    }

    /**
     * Stops the server (ending every session), waits {@code downtime}, starts it again on the same port and
     * returns once it accepts connections.
     *
     * @throws UnsupportedOperationException when the test bed cannot restart this server
     */
    default void restart(java.time.Duration downtime) {
        throw new UnsupportedOperationException(description() + " cannot be restarted by the test bed");
    }

    /** A new superuser connection to the given database. */
    default Connection superuserConnection(String database) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", superuser());
        if (superuserPassword() != null) {
            properties.setProperty("password", superuserPassword());
        }
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("ApplicationName", "testbed-admin");
        return DriverManager.getConnection(jdbcUrl(database), properties);
    }

    default String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
    }

    /** Stops a server the test bed started; leaves an external server running. */
    @Override
    void close();
}
