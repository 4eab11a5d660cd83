package dev.lambdalab.testbed.pgbouncer;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * PgBouncer's three files (pgbouncer.ini, the user list, the HBA file), rendered for the process and the
 * container alike, so both stand in for RDS Proxy the same way.
 *
 * @param serverHost where PostgreSQL is, as PgBouncer reaches it
 * @param serverPort its port
 * @param database the one database served, under the same name
 * @param listenAddress where PgBouncer listens
 * @param listenPort its port
 * @param users user name to password; PgBouncer logs in to the server with the same ones
 * @param adminUser the user allowed on the admin console without a password, from {@code adminFrom}
 * @param adminFrom the address range the admin user may connect from (CIDR)
 * @param poolSize database connections: default_pool_size and max_db_connections
 * @param maxClientConnections max_client_conn
 * @param queryWaitTimeout query_wait_timeout
 * @param clientIdleTimeout client_idle_timeout
 */
public record PgBouncerConfig(String serverHost, int serverPort, String database, String listenAddress, int listenPort,
        Map<String, String> users, String adminUser, String adminFrom, int poolSize, int maxClientConnections,
        Duration queryWaitTimeout, Duration clientIdleTimeout) {

    public PgBouncerConfig {
        Objects.requireNonNull(serverHost, "serverHost");
        Objects.requireNonNull(database, "database");
        users = new LinkedHashMap<>(users);
        if (!users.containsKey(adminUser)) {
            throw new IllegalArgumentException("the admin user " + adminUser + " must be one of the users");
        }
        for (Map.Entry<String, String> user : users.entrySet()) {
            if (!user.getKey().matches("[A-Za-z_][A-Za-z0-9_]*") || user.getValue().contains("\"")) {
                throw new IllegalArgumentException("user names must be identifiers and passwords must not contain"
                        + " a double quote; got user \"" + user.getKey() + "\"");
            }
        }
    }

    /** pgbouncer.ini, pointing at the user list and HBA file at the given paths. */
    public String ini(String userListPath, String hbaPath) {
        return """
                ;; Written by the test bed: PgBouncer, the other proxy (--proxy pgbouncer), set like RDS Proxy.
                [databases]
                %1$s = host=%2$s port=%3$d dbname=%1$s

                [pgbouncer]
                listen_addr = %4$s
                listen_port = %5$d
                ;; room for a burst of cold starts connecting at once (the default is 128)
                listen_backlog = 4096
                ;; no Unix socket: nothing to clean up, no permissions to get right
                unix_socket_dir =
                auth_type = hba
                auth_hba_file = %6$s
                auth_file = %7$s
                ;; admin: fault scenarios PAUSE, KILL and RESUME through the console
                admin_users = %8$s
                ;; RDS Proxy multiplexes per transaction; so does transaction mode
                pool_mode = transaction
                ;; MaxConnectionsPercent x the server's limit
                default_pool_size = %9$d
                max_db_connections = %9$d
                min_pool_size = 0
                reserve_pool_size = 0
                max_client_conn = %10$d
                ;; ConnectionBorrowTimeout
                query_wait_timeout = %11$d
                ;; IdleClientTimeout
                client_idle_timeout = %12$d
                ;; retry a refused server login after 1 s, not the default 15 s
                server_login_retry = 1
                server_connect_timeout = 5
                ;; pgjdbc sends extra_float_digits at startup; PgBouncer must let it through
                ignore_startup_parameters = extra_float_digits
                log_connections = 0
                log_disconnections = 0
                log_pooler_errors = 1
                """.formatted(database, serverHost, serverPort, listenAddress, listenPort, hbaPath, userListPath,
                adminUser, poolSize, maxClientConnections,
                // PgBouncer reads 0 as "wait for ever", RDS Proxy as "do not wait": the shortest wait it has instead.
                Math.max(1, queryWaitTimeout.toSeconds()), clientIdleTimeout.toSeconds());
    }

    /** The user list: {@code "user" "password"} per line. */
    public String userList() {
        StringBuilder list = new StringBuilder();
        users.forEach((user, password) -> list.append('"').append(user).append("\" \"").append(password).append("\"\n"));
        return list.toString();
    }

    /**
     * The HBA file: the admin user reaches the admin console without a password (see PgBouncerConsole);
     * every client of the database itself logs in with SCRAM, as with RDS Proxy.
     */
    public String hba() {
        return "host pgbouncer " + adminUser + " " + adminFrom + " trust\n"
                + "host all all 0.0.0.0/0 scram-sha-256\n";
    }
}
