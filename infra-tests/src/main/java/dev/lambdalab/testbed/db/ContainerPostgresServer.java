package dev.lambdalab.testbed.db;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import org.testcontainers.containers.Network;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * PostgreSQL 17 in a container (Testcontainers), for Docker users: the official image, whose pg_hba asks
 * every role for its SCRAM password over TCP. On a Docker network under the alias {@value #ALIAS}, so a
 * PgBouncer container and LocalStack's Lambda containers reach it by name.
 */
public final class ContainerPostgresServer implements PostgresServer {

    /** The alias on the shared network. */
    public static final String ALIAS = "postgres";
    public static final String IMAGE = "postgres:17";

    private final PostgreSQLContainer container;
    private final String password;

    @SuppressWarnings("resource") // the container is closed in close()
    public ContainerPostgresServer(Network network, int maxConnections) {
        Objects.requireNonNull(network, "network");
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        this.password = HexFormat.of().formatHex(random);
        this.container = new PostgreSQLContainer(IMAGE)
                .withNetwork(network)
                .withNetworkAliases(ALIAS)
                .withUsername("postgres")
                .withPassword(password)
                .withDatabaseName("postgres")
                .withCommand("postgres", "-c", "max_connections=" + maxConnections, "-c", "fsync=off");
    }

    public ContainerPostgresServer start() {
        container.start();
        return this;
    }

    @Override
    public String host() {
        return container.getHost();
    }

    @Override
    public int port() {
        return container.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT);
    }

    @Override
    public String networkHost() {
        return ALIAS;
    }

    @Override
    public int networkPort() {
        return PostgreSQLContainer.POSTGRESQL_PORT;
    }

    @Override
    public String superuser() {
        return "postgres";
    }

    @Override
    public String superuserPassword() {
        return password;
    }

    @Override
    public String description() {
        return "PostgreSQL in a container (" + IMAGE + ", Testcontainers)";
    }

    @Override
    public void close() {
        container.stop();
    }
}
