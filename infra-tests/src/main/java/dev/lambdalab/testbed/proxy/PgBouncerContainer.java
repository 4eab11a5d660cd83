package dev.lambdalab.testbed.proxy;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.images.builder.Transferable;

/**
 * PgBouncer as a container, for Docker users without PgBouncer installed: Debian's own package (the same
 * PgBouncer the local process runs, and the same recipe as docker/pgbouncer.Dockerfile), configured from
 * {@link PgBouncerConfig} like the process. Reaches PostgreSQL by its alias on the shared network.
 */
public final class PgBouncerContainer implements Proxy {

    /** The image's base and install step; docker/pgbouncer.Dockerfile uses the same (a test checks it). */
    public static final String BASE_IMAGE = "debian:bookworm-slim";
    public static final String INSTALL = "apt-get update"
            + " && apt-get install -y --no-install-recommends pgbouncer && rm -rf /var/lib/apt/lists/*";
    /** The alias other containers (LocalStack's Lambda containers) reach it at. */
    public static final String ALIAS = "pgbouncer";
    private static final int PORT = 6432;

    private final Network network;
    private final String serverAlias;
    private final int serverPort;
    private final Map<String, String> users = new LinkedHashMap<>();
    private String adminUser;
    private String database = "lab";
    private ProxySettings settings = ProxySettings.DEFAULTS;
    private int serverConnectionLimit = 10;
    private GenericContainer<?> container;
    private PgBouncerAdmin admin;

    /**
     * @param network the Docker network PostgreSQL is on
     * @param serverAlias PostgreSQL's alias on it
     * @param serverPort PostgreSQL's port on it
     */
    public PgBouncerContainer(Network network, String serverAlias, int serverPort) {
        this.network = Objects.requireNonNull(network, "network");
        this.serverAlias = Objects.requireNonNull(serverAlias, "serverAlias");
        this.serverPort = serverPort;
    }

    public PgBouncerContainer withDatabase(String database) {
        this.database = Objects.requireNonNull(database, "database");
        return this;
    }

    public PgBouncerContainer withUser(String user, String password) {
        users.put(Objects.requireNonNull(user, "user"), Objects.requireNonNull(password, "password"));
        return this;
    }

    public PgBouncerContainer withAdminUser(String user) {
        this.adminUser = Objects.requireNonNull(user, "user");
        return this;
    }

    /** Configured as RDS Proxy with these settings in front of a server whose limit is {@code serverConnectionLimit}. */
    public PgBouncerContainer configuredLike(ProxySettings proxy, int serverConnectionLimit) {
        this.settings = Objects.requireNonNull(proxy, "proxy");
        this.serverConnectionLimit = serverConnectionLimit;
        return this;
    }

    @SuppressWarnings("resource") // closed in close()
    public PgBouncerContainer start() {
        PgBouncerConfig config = new PgBouncerConfig(serverAlias, serverPort, database, "0.0.0.0", PORT, users, adminUser,
                "0.0.0.0/0", settings.databaseConnections(serverConnectionLimit), settings.maxClientConnections(),
                settings.connectionBorrowTimeout(), settings.idleClientTimeout());
        ImageFromDockerfile image = new ImageFromDockerfile("lambdalab/pgbouncer-debian", false)
                .withDockerfileFromBuilder(builder -> builder.from(BASE_IMAGE).run(INSTALL)
                        .user("postgres").expose(PORT).cmd("pgbouncer", "/etc/pgbouncer/pgbouncer.ini").build());
        container = new GenericContainer<>(image)
                .withNetwork(network)
                .withNetworkAliases(ALIAS)
                .withExposedPorts(PORT)
                .withCopyToContainer(Transferable.of(config.ini("/etc/pgbouncer/userlist.txt",
                        "/etc/pgbouncer/pg_hba.conf")), "/etc/pgbouncer/pgbouncer.ini")
                .withCopyToContainer(Transferable.of(config.userList()), "/etc/pgbouncer/userlist.txt")
                .withCopyToContainer(Transferable.of(config.hba()), "/etc/pgbouncer/pg_hba.conf")
                .waitingFor(Wait.forListeningPort().withStartupTimeout(Duration.ofMinutes(3)));
        container.start();
        try {
            admin = new PgBouncerAdmin(() -> new PgBouncerConsole(host(), port(), adminUser, Duration.ofSeconds(5)),
                    database, adminUser);
        } catch (IOException e) {
            close();
            throw new IllegalStateException("PgBouncer's container does not answer on its admin console: "
                    + e.getMessage(), e);
        }
        return this;
    }

    @Override
    public String host() {
        return container.getHost();
    }

    @Override
    public int port() {
        return container.getMappedPort(PORT);
    }

    @Override
    public String networkHost() {
        return ALIAS;
    }

    @Override
    public int networkPort() {
        return PORT;
    }

    @Override
    public ProxyKind kind() {
        return ProxyKind.PGBOUNCER;
    }

    @Override
    public PoolsSnapshot pools() throws IOException {
        return admin().pools();
    }

    /** The admin console connection opened at start. */
    public PgBouncerAdmin admin() {
        return admin;
    }

    @Override
    public int poolSize() {
        return settings.databaseConnections(serverConnectionLimit);
    }

    @Override
    public int maxClientConnections() {
        return settings.maxClientConnections();
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close();
            admin = null;
        }
        if (container != null) {
            container.stop();
            container = null;
        }
    }
}
