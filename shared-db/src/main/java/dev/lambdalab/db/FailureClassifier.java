package dev.lambdalab.db;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Turns any exception from getting or using a connection into a {@link Failure}. It walks the whole
 * chain (causes, and {@link SQLException#getNextException()}), because the telling part is often deep:
 * HikariCP's pool timeout carries the last connection failure as its cause, and pgjdbc wraps socket
 * errors. SQLState 53300 alone cannot tell a role limit from a server limit, so messages decide.
 */
public final class FailureClassifier {

    private static final String POOL_TIMEOUT_TEXT = "connection is not available, request timed out after";

    private FailureClassifier() {
    }

    public static Failure classify(Throwable error) {
        List<Throwable> chain = chain(error);
        Throwable poolTimeout = null;
        for (Throwable t : chain) {
            if (isPoolTimeout(t)) {
                poolTimeout = t;
                break;
            }
        }
        // The first throwable (outermost) that names a cause decides it; the deepest throwable with the
        // same cause gives the message and SQLState, since wrappers such as HikariCP's
        // PoolInitializationException repeat the driver's text without its SQLState. A generic
        // "connection failure" SQLState (08006, 08003) only counts when nothing more specific is found:
        // pgjdbc puts it on a read timeout too, whose SocketTimeoutException tells the real story.
        Throwable specific = null;
        FailureCause specificCause = null;
        Throwable generic = null;
        for (Throwable t : chain) {
            if (t == poolTimeout) {
                continue;
            }
            FailureCause cause = causeOf(t);
            if (cause == null) {
                if (generic == null && isGenericConnectionFailure(t)) {
                    generic = t;
                }
                continue;
            }
            if (specificCause == null || cause == specificCause) {
                specific = t;
                specificCause = cause;
            }
        }
        if (specific == null && generic != null) {
            specific = generic;
            specificCause = FailureCause.CONNECTION_LOST;
        }
        if (poolTimeout != null) {
            return new Failure(FailureCause.POOL_TIMEOUT, specificCause, sqlState(poolTimeout),
                    firstLine(poolTimeout), specific == null ? null : firstLine(specific));
        }
        if (specific != null) {
            return new Failure(specificCause, null, sqlStateNear(chain, specific), firstLine(specific), null);
        }
        return new Failure(FailureCause.OTHER, null, sqlStateNear(chain, error), firstLine(error), null);
    }

    private static boolean isPoolTimeout(Throwable t) {
        return t instanceof SQLTransientConnectionException && contains(t, POOL_TIMEOUT_TEXT);
    }

    /** The cause one throwable shows by itself, or {@code null}. */
    private static FailureCause causeOf(Throwable t) {
        String state = sqlState(t);
        // The limits' own words decide before any SQLState (see causeOfText); the other texts are the exceptions'
        // types and states here, which say more than a message.
        Optional<FailureCause> limit = causeOfText(t.getMessage())
                .filter(cause -> cause.isCapacity() && cause != FailureCause.POOL_TIMEOUT);
        if (limit.isPresent()) {
            return limit.get();
        }
        if ("53300".equals(state)) {
            return FailureCause.SERVER_CONNECTION_LIMIT;
        }
        if ("28P01".equals(state) || "28000".equals(state) || t instanceof CredentialsException
                || causeOfText(t.getMessage()).filter(cause -> cause == FailureCause.AUTHENTICATION).isPresent()) {
            return FailureCause.AUTHENTICATION;
        }
        if (t instanceof SocketTimeoutException) {
            return contains(t, "connect") ? FailureCause.CONNECT_TIMEOUT : FailureCause.QUERY_TIMEOUT;
        }
        if ("57014".equals(state)) {
            return FailureCause.QUERY_TIMEOUT;
        }
        if (t instanceof ConnectException || t instanceof NoRouteToHostException || t instanceof UnknownHostException
                || "57P03".equals(state)) {
            return FailureCause.CONNECTION_REFUSED;
        }
        if (t instanceof EOFException || "57P01".equals(state) || "57P02".equals(state)
                || (t instanceof SocketException && !(t instanceof ConnectException))) {
            return FailureCause.CONNECTION_LOST;
        }
        return null;
    }

    /**
     * The cause a text names by the servers' and the pools' own words, if it names one: an exception's message, or an
     * error that a function wrote into its answer or its log, as the test bed reads those of functions it did not
     * write. Lower-case matching; the proxies' texts come first, since RDS Proxy sends its client limit with SQLState
     * 53300, which alone would read as the server's limit. "Timed-out waiting to acquire database connection." is RDS
     * Proxy's text when ConnectionBorrowTimeout runs out; query_wait_timeout and max_client_conn are PgBouncer's.
     */
    public static Optional<FailureCause> causeOfText(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.contains("query_wait_timeout") || lower.contains("timed-out waiting to acquire database connection")) {
            return Optional.of(FailureCause.PROXY_WAIT_TIMEOUT);
        }
        if (lower.contains("max_client_conn") || lower.contains("no more connections allowed")
                || lower.contains("maximum number of client connections to the proxy exceeded")) {
            return Optional.of(FailureCause.PROXY_CLIENT_LIMIT);
        }
        if (lower.contains("too many connections for role")) {
            return Optional.of(FailureCause.ROLE_CONNECTION_LIMIT);
        }
        if (lower.contains("sorry, too many clients already") || lower.contains("remaining connection slots are reserved")
                || lower.contains("too many connections for database")) {
            return Optional.of(FailureCause.SERVER_CONNECTION_LIMIT);
        }
        if (lower.contains(POOL_TIMEOUT_TEXT)) {
            return Optional.of(FailureCause.POOL_TIMEOUT);
        }
        // PostgreSQL's words, then RDS Proxy's ("Troubleshooting for RDS Proxy": a wrong password, a role the proxy
        // holds no secret for, a bad IAM token).
        if (lower.contains("password authentication failed") || lower.contains("pam authentication failed")
                || lower.contains("no pg_hba.conf entry") || lower.contains("password that was provided for the role")
                || lower.contains("has no credentials for the role") || lower.contains("iam authentication failed")) {
            return Optional.of(FailureCause.AUTHENTICATION);
        }
        if (lower.contains("connection refused")) {
            return Optional.of(FailureCause.CONNECTION_REFUSED);
        }
        if (lower.contains("connect timed out")) {
            return Optional.of(FailureCause.CONNECT_TIMEOUT);
        }
        if (lower.contains("read timed out") || lower.contains("canceling statement due to")) {
            return Optional.of(FailureCause.QUERY_TIMEOUT);
        }
        return Optional.empty();
    }

    private static boolean isGenericConnectionFailure(Throwable t) {
        String state = sqlState(t);
        return "08006".equals(state) || "08003".equals(state);
    }

    private static List<Throwable> chain(Throwable error) {
        List<Throwable> chain = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        collect(error, chain, seen);
        return chain;
    }

    private static void collect(Throwable t, List<Throwable> chain, Set<Throwable> seen) {
        while (t != null && seen.add(t)) {
            chain.add(t);
            if (t instanceof SQLException sql && sql.getNextException() != null) {
                collect(sql.getNextException(), chain, seen);
            }
            t = t.getCause();
        }
    }

    private static boolean contains(Throwable t, String lowerCaseText) {
        String message = t.getMessage();
        return message != null && message.toLowerCase(Locale.ROOT).contains(lowerCaseText);
    }

    private static String sqlState(Throwable t) {
        return t instanceof SQLException sql ? sql.getSQLState() : null;
    }

    /** The SQLState of the throwable, else of the nearest SQLException it wraps, else of one that wraps it. */
    private static String sqlStateNear(List<Throwable> chain, Throwable specific) {
        int index = chain.indexOf(specific);
        for (int i = index; i < chain.size(); i++) {
            if (sqlState(chain.get(i)) != null) {
                return sqlState(chain.get(i));
            }
        }
        for (int i = index - 1; i >= 0; i--) {
            if (sqlState(chain.get(i)) != null) {
                return sqlState(chain.get(i));
            }
        }
        return null;
    }

    private static String firstLine(Throwable t) {
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return t.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return Redactor.redact(line.strip());
    }
}
