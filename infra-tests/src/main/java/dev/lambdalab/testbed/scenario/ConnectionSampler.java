package dev.lambdalab.testbed.scenario;

import dev.lambdalab.testbed.db.LabDatabase;
import dev.lambdalab.testbed.proxy.PoolsSnapshot;
import dev.lambdalab.testbed.proxy.Proxy;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Records, every {@code interval} (50 ms by default) during a run, the application role's connections
 * as {@code pg_stat_activity} shows them and, when a proxy is in the path, its client, server and pinned
 * connections (the emulator's metrics, or PgBouncer's {@code SHOW POOLS}). It uses the monitoring role, never the application's slots.
 */
public final class ConnectionSampler implements AutoCloseable {

    /**
     * One sample.
     *
     * @param elapsedMillis time since {@link #start()}
     * @param databaseConnections connections of the application role on the server
     * @param proxyClients client connections PgBouncer holds (-1 without a proxy)
     * @param proxyServers server connections PgBouncer holds (-1 without a proxy)
     * @param proxyWaiting clients waiting for a server connection (-1 without a proxy)
     * @param proxyPinned server connections pinned to a client session (-1 without a proxy)
     */
    public record Sample(long elapsedMillis, int databaseConnections, int proxyClients, int proxyServers,
            int proxyWaiting, int proxyPinned) {
    }

    private final LabDatabase lab;
    private final Proxy proxy;
    private final Duration interval;
    private final List<Sample> samples = new ArrayList<>();
    private ScheduledExecutorService timer;
    private Connection monitor;
    private long startNanos;
    private volatile String lastError;

    /**
     * @param proxy the proxy in the path, or {@code null} without one
     */
    public ConnectionSampler(LabDatabase lab, Proxy proxy, Duration interval) {
        this.lab = Objects.requireNonNull(lab, "lab");
        this.proxy = proxy;
        this.interval = Objects.requireNonNull(interval, "interval");
        if (interval.toMillis() < 5) {
            throw new IllegalArgumentException("interval must be at least 5ms, got " + interval.toMillis() + "ms");
        }
    }

    public ConnectionSampler start() {
        try {
            monitor = lab.monitorConnection();
        } catch (SQLException e) {
            throw new IllegalStateException("the sampler cannot connect as " + LabDatabase.MONITOR_ROLE + ": "
                    + e.getMessage(), e);
        }
        startNanos = System.nanoTime();
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "connection-sampler");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleAtFixedRate(this::sample, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void sample() {
        try {
            int database = LabDatabase.countAppConnections(monitor, lab.names().appRole());
            PoolsSnapshot pools = null;
            if (proxy != null) {
                try {
                    pools = proxy.pools();
                } catch (IOException | RuntimeException e) {
                    lastError = "proxy metrics: " + e.getMessage(); // the proxy restarting: keep sampling the server
                }
            }
            Sample sample = new Sample((System.nanoTime() - startNanos) / 1_000_000, database,
                    pools == null ? -1 : pools.clients(), pools == null ? -1 : pools.servers(),
                    pools == null ? -1 : pools.clientWaiting(), pools == null ? -1 : pools.serverPinned());
            synchronized (samples) {
                samples.add(sample);
            }
        } catch (SQLException e) {
            lastError = "pg_stat_activity: " + e.getMessage();
            reconnect();
        }
    }

    private void reconnect() {
        try {
            monitor.close();
            monitor = lab.monitorConnection();
        } catch (SQLException e) {
            lastError = "reconnect: " + e.getMessage(); // the server is down: try again next tick
        }
    }

    /** Takes one more sample now, then stops. */
    public List<Sample> stop() {
        if (timer != null) {
            timer.shutdown();
            try {
                timer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sample();
        }
        close();
        return samples();
    }

    public List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    public int peakDatabaseConnections() {
        return samples().stream().mapToInt(Sample::databaseConnections).max().orElse(0);
    }

    public int peakProxyClients() {
        return samples().stream().mapToInt(Sample::proxyClients).max().orElse(-1);
    }

    /** The last error of a failed sample, or {@code null}. */
    public String lastError() {
        return lastError;
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
        if (monitor != null) {
            try {
                monitor.close();
            } catch (SQLException e) {
                // closing the sampler's own connection
            }
        }
    }
}
