package dev.lambdalab.testbed.pgbouncer;

import java.io.IOException;
import java.time.Duration;
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
public final class PgBouncerContainer extends PgBouncerBase<PgBouncerContainer> {

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
    private GenericContainer<?> container;

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

    @SuppressWarnings("resource") // closed in close()
    public PgBouncerContainer start() {
        PgBouncerConfig config = config(serverAlias, serverPort, "0.0.0.0", PORT, "0.0.0.0/0");
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
            admin = openAdmin(host(), port());
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
    public synchronized void close() {
        closeAdmin();
        if (container != null) {
            container.stop();
            container = null;
        }
    }
}
