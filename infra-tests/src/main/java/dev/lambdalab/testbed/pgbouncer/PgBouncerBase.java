package dev.lambdalab.testbed.pgbouncer;

import dev.lambdalab.testbed.proxy.Proxy;
import dev.lambdalab.testbed.proxy.ProxyKind;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.proxy.PoolsSnapshot;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What PgBouncer as a child process ({@link PgBouncer}) and PgBouncer in a container ({@link PgBouncerContainer})
 * share: the database it serves, the users it logs in as, the admin user of its console, and its sizes and
 * timeouts, configured as RDS Proxy with the same {@link ProxySettings} would behave ({@link #configuredLike}).
 * Both render the same {@link PgBouncerConfig} and read the same admin console.
 *
 * @param <S> the concrete class, so that the {@code withX} methods chain
 */
public abstract class PgBouncerBase<S extends PgBouncerBase<S>> implements Proxy {

    private final Map<String, String> users = new LinkedHashMap<>();
    private String adminUser;
    private String database = "lab";
    private ProxySettings settings = ProxySettings.DEFAULTS;
    private int serverConnectionLimit = 10;
    /** The admin console, opened at start; null while it is not running. */
    protected volatile PgBouncerAdmin admin;

    /** The one database it serves, under the same name. */
    public S withDatabase(String database) {
        if (!Objects.requireNonNull(database, "database").matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("database must be a plain identifier, got \"" + database + "\"");
        }
        this.database = database;
        return self();
    }

    /** A user clients log in as; PgBouncer logs in to the server with the same name and password. */
    public S withUser(String user, String password) {
        users.put(Objects.requireNonNull(user, "user"), Objects.requireNonNull(password, "password"));
        return self();
    }

    /** A user (added with {@link #withUser}) allowed on the admin console (SHOW POOLS, PAUSE, KILL). */
    public S withAdminUser(String user) {
        this.adminUser = Objects.requireNonNull(user, "user");
        return self();
    }

    /**
     * Configures it as RDS Proxy with these settings would behave in front of a server whose connection limit is
     * {@code serverConnectionLimit}: MaxConnectionsPercent of it as the pool, ConnectionBorrowTimeout as
     * query_wait_timeout, IdleClientTimeout as client_idle_timeout.
     */
    public S configuredLike(ProxySettings proxy, int serverConnectionLimit) {
        if (serverConnectionLimit < 1) {
            throw new IllegalArgumentException("serverConnectionLimit must be at least 1, got " + serverConnectionLimit);
        }
        this.settings = Objects.requireNonNull(proxy, "proxy");
        this.serverConnectionLimit = serverConnectionLimit;
        return self();
    }

    /** Database connections: default_pool_size and max_db_connections. */
    @Override
    public int poolSize() {
        return settings.databaseConnections(serverConnectionLimit);
    }

    /** max_client_conn: client connections accepted. */
    @Override
    public int maxClientConnections() {
        return settings.maxClientConnections();
    }

    @Override
    public ProxyKind kind() {
        return ProxyKind.PGBOUNCER;
    }

    @Override
    public PoolsSnapshot pools() throws IOException {
        return admin().pools();
    }

    /** The admin console connection opened at start (thread-safe for SHOW POOLS). */
    public PgBouncerAdmin admin() {
        PgBouncerAdmin console = admin;
        if (console == null) {
            throw new IllegalStateException("PgBouncer is not running");
        }
        return console;
    }

    /** The files for a PgBouncer reaching PostgreSQL at this address and listening at that one. */
    protected PgBouncerConfig config(String serverHost, int serverPort, String listenAddress, int listenPort,
            String adminFrom) {
        if (users.isEmpty() || adminUser == null || !users.containsKey(adminUser)) {
            throw new IllegalStateException("PgBouncer needs withUser(..) and withAdminUser(..) naming one of them");
        }
        return new PgBouncerConfig(serverHost, serverPort, database, listenAddress, listenPort, users, adminUser,
                adminFrom, poolSize(), maxClientConnections(), settings.connectionBorrowTimeout(),
                settings.idleClientTimeout());
    }

    /** Opens the admin console at this address, as the admin user. */
    protected PgBouncerAdmin openAdmin(String host, int port) throws IOException {
        return new PgBouncerAdmin(() -> new PgBouncerConsole(host, port, adminUser, Duration.ofSeconds(5)),
                database, adminUser);
    }

    /** Closes the admin console, if open. */
    protected void closeAdmin() {
        PgBouncerAdmin console = admin;
        admin = null;
        if (console != null) {
            console.close();
        }
    }

    @SuppressWarnings("unchecked") // S is this class, by the type parameter's bound
    private S self() {
        return (S) this;
    }
}
