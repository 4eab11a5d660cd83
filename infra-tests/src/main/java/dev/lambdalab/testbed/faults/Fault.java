package dev.lambdalab.testbed.faults;

import dev.lambdalab.testbed.label.Labelled;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The faults the test bed injects into the fixed function's path, each with what it needs. The
 * {@link FaultRunner} runs one and measures what the caller saw and how long recovery took; the
 * integration tests and {@code testbed faults} both use it, so the table in docs/faults.md and the tests show the
 * same numbers.
 */
public enum Fault implements Labelled {

    SERVER_ENDS_IDLE_CONNECTIONS(Needs.NOTHING,
            "While 4 warm environments are idle, the server ends their connections (pg_terminate_backend)."),
    PROXY_CLOSES_IDLE_CLIENTS(Needs.PROXY,
            "While 4 warm environments are idle, the proxy closes their client connections (IdleClientTimeout 2 s)."),
    PROXY_RESTART_UNDER_LOAD(Needs.PROXY,
            "The proxy is stopped hard and started again 2 s later while 6 callers keep sending requests."),
    POSTGRES_RESTART_UNDER_LOAD(Needs.PROXY_AND_RESTARTABLE_SERVER,
            "PostgreSQL is stopped (fast shutdown) and started again 2 s later while 6 callers send requests"
                    + " through the proxy."),
    POSTGRES_RESTART_DIRECT(Needs.RESTARTABLE_SERVER,
            "The same restart with the function connected straight to PostgreSQL, no proxy."),
    DATABASE_DOWN_AT_COLD_START(Needs.NOTHING,
            "Nothing listens at the database's address when a new environment starts; it comes back after two"
                    + " requests (about 6 s)."),
    DATABASE_UNRESPONSIVE_AT_COLD_START(Needs.NOTHING,
            "The database's address accepts TCP connections but never answers when a new environment starts;"
                    + " it answers again after two requests."),
    CREDENTIALS_ROTATED(Needs.NOTHING,
            "The secret and the role get a new password while an environment is warm; its connection is then"
                    + " retired, so the next one must log in with the new password."),
    FUNCTION_TIMEOUT_HOLDING_CONNECTION(Needs.NOTHING,
            "An invocation runs past the 1 s function timeout while its connection runs a query, straight to"
                    + " PostgreSQL (the role's idle_session_timeout is 2 s)."),
    FUNCTION_TIMEOUT_BEHIND_PROXY(Needs.PROXY,
            "The same timeout through the proxy (IdleClientTimeout 3 s)."),
    QUERY_CANCELLED_BY_QUERY_TIMEOUT(Needs.NOTHING,
            "A query runs longer than DB_QUERY_TIMEOUT_S (1 s; the socket timeout is 3 s)."),
    QUERY_PAST_SOCKET_TIMEOUT(Needs.NOTHING,
            "A query runs longer than DB_SOCKET_TIMEOUT_S (1 s) with no query timeout set.");

    /** What a fault needs from the test bed. */
    public enum Needs {
        NOTHING, PROXY, RESTARTABLE_SERVER, PROXY_AND_RESTARTABLE_SERVER;

        public boolean proxy() {
            return this == PROXY || this == PROXY_AND_RESTARTABLE_SERVER;
        }

        public boolean restartableServer() {
            return this == RESTARTABLE_SERVER || this == PROXY_AND_RESTARTABLE_SERVER;
        }
    }

    private final Needs needs;
    private final String description;

    Fault(Needs needs, String description) {
        this.needs = needs;
        this.description = description;
    }

    /** The name the CLI and reports use: {@code proxy-restart-under-load}. */
    @Override
    public String label() {
        return Labelled.of(this);
    }

    public Needs needs() {
        return needs;
    }

    public String description() {
        return description;
    }

    /**
     * The fault with this label.
     *
     * @throws IllegalArgumentException naming the label and every allowed one
     */
    public static Fault fromLabel(String label) {
        for (Fault fault : values()) {
            if (fault.label().equals(label)) {
                return fault;
            }
        }
        throw new IllegalArgumentException("unknown fault \"" + label + "\"; allowed: " + labels());
    }

    /** Every label, comma-separated. */
    public static String labels() {
        return Arrays.stream(values()).map(Fault::label).collect(Collectors.joining(", "));
    }
}
