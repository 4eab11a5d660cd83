package dev.lambdalab.testbed.rdsproxy;

import java.util.Locale;
import java.util.Set;

/**
 * What RDS Proxy for PostgreSQL says when it refuses something, in its own words: the table "Troubleshooting RDS
 * Proxy issues with RDS for PostgreSQL" of "Troubleshooting for RDS Proxy" (Amazon RDS User Guide), where each
 * message below is listed with its cause. The SQLSTATEs are not documented there: each is our choice, the one
 * PostgreSQL gives for the same condition, so that drivers and shared-db's FailureClassifier read them as they read
 * PostgreSQL's. Named once here, used by the handshake, the sessions and the tests.
 */
public final class ProxyTexts {

    /** The startup parameters RDS Proxy for PostgreSQL accepts; any other is refused ({@link #unsupportedOption}). */
    public static final Set<String> STARTUP_PARAMETERS = Set.of("user", "database", "application_name",
            "client_encoding", "datestyle", "timezone", "extra_float_digits", "search_path");

    /** A client that asks for TLS-less access to a proxy with RequireTLS (SQLSTATE 28000). */
    public static final String TLS_REQUIRED = "This RDS Proxy requires TLS connections.";
    /** No user in the startup packet (28000). */
    public static final String USER_MISSING = "A user name is missing from the connection startup packet. Provide a"
            + " user name for this connection.";
    /** A protocol other than 3.0 (0A000). */
    public static final String PROTOCOL_3_ONLY = "Feature not supported: RDS Proxy supports only version 3.0 of the"
            + " PostgreSQL messaging protocol.";
    /** The replication startup parameter (0A000). */
    public static final String NO_REPLICATION = "Feature not supported: RDS Proxy currently doesn't support streaming"
            + " replication mode.";
    /** ConnectionBorrowTimeout ran out. */
    public static final String BORROW_TIMEOUT = "Timed-out waiting to acquire database connection.";
    /**
     * The SQLSTATE sent with it: AWS documents the text, not a code. 08000 (connection exception) is what clients
     * report receiving (issue 23 of this project); a class-08 state also makes pgjdbc and HikariCP treat the
     * connection as unusable. shared-db classifies by the text, so the code changes no verdict.
     */
    public static final String BORROW_TIMEOUT_SQLSTATE = "08000";
    /** IAM authentication over a connection without TLS (28000). */
    public static final String IAM_NEEDS_TLS = "IAM authentication is allowed only with SSL connections.";

    private ProxyTexts() {
    }

    /** A startup parameter the proxy does not support, such as statement_timeout (0A000). */
    public static String unsupportedOption(String name) {
        return "Feature not supported: RDS Proxy currently doesn't support the option " + name + ".";
    }

    /** Whether the proxy accepts this startup parameter (names compare without case, as PostgreSQL's settings). */
    public static boolean supportedStartupParameter(String name) {
        return STARTUP_PARAMETERS.contains(name.toLowerCase(Locale.ROOT));
    }

    /** A role the proxy holds no secret for (28000). */
    public static String noCredentials(String role) {
        return "This RDS proxy has no credentials for the role " + role + ". Check the credentials for this role and"
                + " try again.";
    }

    /** A password that does not match the role's secret (28P01). */
    public static String wrongPassword(String role) {
        return "The password that was provided for the role " + role + " is wrong.";
    }

    /** An IAM token that is expired, badly signed, or for another host, port or user (28P01). */
    public static String iamFailed(String role) {
        return "The IAM authentication failed for the role " + role + ". Check the IAM token for this role and try"
                + " again.";
    }

    /** Client connections beyond the proxy's limit (53300). */
    public static String clientLimit(int limit) {
        return "The maximum number of client connections to the proxy exceeded " + limit + ".";
    }

    /** An error of the database connection the proxy opened for the client, such as a database that does not exist. */
    public static String requestError(String databaseError) {
        return "Request returned an error: " + databaseError;
    }
}
