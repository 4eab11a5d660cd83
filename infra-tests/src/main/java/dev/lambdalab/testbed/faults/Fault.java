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

    SERVER_ENDS_IDLE_CONNECTIONS(Needs.NOTHING, new IdleConnectionsClosed(IdleConnectionsClosed.By.SERVER),
            "While " + IdleConnectionsClosed.ENVIRONMENTS + " warm environments are idle, the server ends their"
                    + " connections (pg_terminate_backend)."),
    PROXY_CLOSES_IDLE_CLIENTS(Needs.PROXY, new IdleConnectionsClosed(IdleConnectionsClosed.By.PROXY),
            "While " + IdleConnectionsClosed.ENVIRONMENTS + " warm environments are idle, the proxy closes their"
                    + " client connections (IdleClientTimeout " + IdleConnectionsClosed.PROXY_IDLE_CLIENT_TIMEOUT_S
                    + " s: time compressed, RDS Proxy's least is 60 s)."),
    PROXY_RESTART_UNDER_LOAD(Needs.PROXY, new RestartUnderLoad(RestartUnderLoad.Target.PROXY),
            "The proxy is stopped hard and started again " + RestartUnderLoad.DOWNTIME_S + " s later while "
                    + RestartUnderLoad.CALLERS + " callers keep sending requests."),
    POSTGRES_RESTART_UNDER_LOAD(Needs.PROXY_AND_RESTARTABLE_SERVER,
            new RestartUnderLoad(RestartUnderLoad.Target.DATABASE_BEHIND_PROXY),
            "PostgreSQL is stopped (fast shutdown) and started again " + RestartUnderLoad.DOWNTIME_S
                    + " s later while " + RestartUnderLoad.CALLERS + " callers send requests through the proxy."),
    POSTGRES_RESTART_DIRECT(Needs.RESTARTABLE_SERVER, new RestartUnderLoad(RestartUnderLoad.Target.DATABASE_DIRECT),
            "The same restart with the function connected straight to PostgreSQL, no proxy."),
    DATABASE_DOWN_AT_COLD_START(Needs.NOTHING, new DatabaseAbsentAtColdStart(TcpRelay.Mode.REFUSE),
            "Nothing listens at the database's address when a new environment starts; it comes back after "
                    + spelled(DatabaseAbsentAtColdStart.REQUESTS_WHILE_AWAY) + " requests (about "
                    + DatabaseAbsentAtColdStart.REQUESTS_WHILE_AWAY * FaultProbe.POOL_TIMEOUT_MILLIS / 1000 + " s)."),
    DATABASE_UNRESPONSIVE_AT_COLD_START(Needs.NOTHING, new DatabaseAbsentAtColdStart(TcpRelay.Mode.UNRESPONSIVE),
            "The database's address accepts TCP connections but never answers when a new environment starts;"
                    + " it answers again after " + spelled(DatabaseAbsentAtColdStart.REQUESTS_WHILE_AWAY)
                    + " requests."),
    CREDENTIALS_ROTATED(Needs.NOTHING, new CredentialsRotated(),
            "The secret and the role get a new password while an environment is warm; its connection is then"
                    + " retired, so the next one must log in with the new password."),
    FUNCTION_TIMEOUT_HOLDING_CONNECTION(Needs.NOTHING, new FunctionTimeoutDirect(),
            "An invocation runs past the " + FunctionTimeoutDirect.FUNCTION_TIMEOUT_S + " s function timeout while"
                    + " its connection runs a query, straight to PostgreSQL (the role's idle_session_timeout is "
                    + FunctionTimeoutDirect.IDLE_SESSION_TIMEOUT_S + " s)."),
    FUNCTION_TIMEOUT_BEHIND_PROXY(Needs.PROXY, new FunctionTimeoutBehindProxy(),
            "The same timeout through the proxy (IdleClientTimeout " + FunctionTimeoutBehindProxy.IDLE_CLIENT_TIMEOUT_S
                    + " s: time compressed, RDS Proxy's least is 60 s)."),
    QUERY_CANCELLED_BY_QUERY_TIMEOUT(Needs.NOTHING, SlowQuery.CANCELLED, SlowQuery.CANCELLED.description()),
    QUERY_PAST_SOCKET_TIMEOUT(Needs.NOTHING, SlowQuery.PAST_SOCKET_TIMEOUT, SlowQuery.PAST_SOCKET_TIMEOUT.description());

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
    private final FaultExperiment experiment;
    private final String description;

    Fault(Needs needs, FaultExperiment experiment, String description) {
        this.needs = needs;
        this.experiment = experiment;
        this.description = description;
    }

    /** Small counts as words, as the descriptions read. */
    private static String spelled(int count) {
        String[] words = {"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"};
        return count >= 0 && count < words.length ? words[count] : Integer.toString(count);
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

    /** What injects and measures this fault. */
    FaultExperiment experiment() {
        return experiment;
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
