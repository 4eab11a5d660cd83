package dev.lambdalab.testbed.proxy;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * The proxy between the functions and PostgreSQL, wherever it runs: the RDS Proxy emulator in this JVM
 * ({@code rdsproxy.RdsProxyEmulator}), PgBouncer as a child process ({@code pgbouncer.PgBouncer}) or as a container
 * ({@code pgbouncer.PgBouncerContainer}).
 */
public interface Proxy extends AutoCloseable {

    /** Host the test JVM (and emulated functions) reach it at. */
    String host();

    /** Port the test JVM (and emulated functions) reach it at. */
    int port();

    /** Host containers on its Docker network reach it at; the same as {@link #host()} outside Docker. */
    default String networkHost() {
        return host();
    }

    /** Port containers on its Docker network reach it at. */
    default int networkPort() {
        return port();
    }

    /** Which proxy this is. */
    ProxyKind kind();

    /**
     * Its client and server connections now: the emulator's metrics, or PgBouncer's SHOW POOLS.
     *
     * @throws IOException when the proxy does not answer (restarting)
     */
    PoolsSnapshot pools() throws IOException;

    /** Sessions pinned so far, by reason (RDS Proxy's pinning; PgBouncer never pins). */
    default Map<String, Long> pinReasons() {
        return Map.of();
    }

    /**
     * The operating-system process whose CPU time is this proxy's, where the test bed can read it: this JVM for the
     * emulator (its CPU time then also holds the JVM's own threads and the test bed's), PgBouncer's child process;
     * empty for a container.
     */
    default Optional<ProcessHandle> process() {
        return Optional.empty();
    }

    /** Database connections it may open. */
    int poolSize();

    /** Client connections it accepts. */
    int maxClientConnections();

    /**
     * Stops it hard (every client and server connection dropped), waits {@code downtime}, and starts it
     * again at the same address; returns once it answers.
     *
     * @throws UnsupportedOperationException when this kind of proxy cannot be restarted by the test bed
     */
    default void restart(java.time.Duration downtime) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot be restarted by the test bed");
    }

    /** Stops it and deletes its files. */
    @Override
    void close();
}
