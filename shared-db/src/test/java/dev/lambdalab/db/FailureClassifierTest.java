package dev.lambdalab.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.postgresql.util.ServerErrorMessage;

class FailureClassifierTest {

    /** What pgjdbc builds from a server's ErrorResponse: fields S (severity), C (SQLState), M (message). */
    private static PSQLException serverError(String severity, String sqlState, String message) {
        return new PSQLException(new ServerErrorMessage(
                "S" + severity + "\0V" + severity + "\0C" + sqlState + "\0M" + message + "\0"));
    }

    @ParameterizedTest(name = "{1} {2} -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            FATAL | 53300 | too many connections for role "app"                                                 | ROLE_CONNECTION_LIMIT
            FATAL | 53300 | sorry, too many clients already                                                     | SERVER_CONNECTION_LIMIT
            FATAL | 53300 | remaining connection slots are reserved for non-replication superuser connections   | SERVER_CONNECTION_LIMIT
            FATAL | 53300 | remaining connection slots are reserved for roles with the SUPERUSER attribute      | SERVER_CONNECTION_LIMIT
            FATAL | 08P01 | query_wait_timeout                                                                  | PROXY_WAIT_TIMEOUT
            FATAL | 08P01 | no more connections allowed (max_client_conn)                                       | PROXY_CLIENT_LIMIT
            FATAL | 28P01 | password authentication failed for user "app"                                       | AUTHENTICATION
            FATAL | 28000 | no pg_hba.conf entry for host "10.0.0.1", user "app", database "app", no encryption | AUTHENTICATION
            FATAL | 08P01 | password authentication failed                                                      | AUTHENTICATION
            FATAL | 28P01 | The password that was provided for the role app is wrong.                           | AUTHENTICATION
            FATAL | 28000 | This RDS proxy has no credentials for the role app. Check the credentials for this role and try again. | AUTHENTICATION
            FATAL | 08P01 | The IAM authentication failed for the role app. Check the IAM token for this role and try again. | AUTHENTICATION
            FATAL | 57P01 | terminating connection due to administrator command                                 | CONNECTION_LOST
            FATAL | 57P03 | the database system is starting up                                                  | CONNECTION_REFUSED
            ERROR | 57014 | canceling statement due to user request                                             | QUERY_TIMEOUT
            ERROR | 42601 | syntax error at or near "SELEC"                                                     | OTHER
            """)
    void serverErrorsAreClassifiedByStateAndMessage(String severity, String sqlState, String message,
            FailureCause expected) {
        PSQLException error = serverError(severity, sqlState, message);

        Failure failure = FailureClassifier.classify(error);

        assertThat(failure.cause()).as("cause of %s", error.getMessage()).isEqualTo(expected);
        assertThat(failure.sqlState()).isEqualTo(sqlState);
        assertThat(failure.message()).isEqualTo(severity + ": " + message);
    }

    @Test
    void poolTimeoutIsItsOwnCauseWithTheRefusalBehindIt() {
        PSQLException roleLimit = serverError("FATAL", "53300", "too many connections for role \"app\"");
        SQLTransientConnectionException timeout = new SQLTransientConnectionException(
                "fixed-1a2b3c4d5e6f-1 - Connection is not available, request timed out after 20000ms"
                        + " (total=0, active=0, idle=0, waiting=0)", "53300", roleLimit);

        Failure failure = FailureClassifier.classify(timeout);

        assertThat(failure.cause()).isEqualTo(FailureCause.POOL_TIMEOUT);
        assertThat(failure.underlying()).as("what the pool's connection attempts failed with")
                .isEqualTo(FailureCause.ROLE_CONNECTION_LIMIT);
        assertThat(failure.message()).contains("Connection is not available, request timed out after 20000ms");
        assertThat(failure.underlyingMessage()).isEqualTo("FATAL: too many connections for role \"app\"");
        assertThat(failure.label()).isEqualTo("POOL_TIMEOUT (ROLE_CONNECTION_LIMIT)");
    }

    @Test
    void poolTimeoutWithoutAnyConnectionFailureHasNoUnderlyingCause() {
        Failure failure = FailureClassifier.classify(new SQLTransientConnectionException(
                "HikariPool-1 - Connection is not available, request timed out after 30000ms."));

        assertThat(failure.cause()).isEqualTo(FailureCause.POOL_TIMEOUT);
        assertThat(failure.underlying()).isNull();
    }

    @Test
    void poolInitializationFailureTakesTheDriversStateAndMessage() {
        PSQLException roleLimit = serverError("FATAL", "53300", "too many connections for role \"app\"");
        HikariPool.PoolInitializationException wrapped = new HikariPool.PoolInitializationException(roleLimit);

        Failure failure = FailureClassifier.classify(wrapped);

        assertThat(failure.cause()).isEqualTo(FailureCause.ROLE_CONNECTION_LIMIT);
        assertThat(failure.sqlState()).isEqualTo("53300");
        assertThat(failure.message()).isEqualTo("FATAL: too many connections for role \"app\"");
    }

    @Test
    void rdsProxyBorrowTimeoutIsAProxyWaitTimeout() {
        assertThat(FailureClassifier.classify(new SQLException(
                "FATAL: Timed-out waiting to acquire database connection.", "08000")).cause())
                .isEqualTo(FailureCause.PROXY_WAIT_TIMEOUT);
    }

    @Test
    void rdsProxyClientLimitIsAProxyClientLimitDespiteSqlState53300() {
        assertThat(FailureClassifier.classify(new SQLException(
                "FATAL: The maximum number of client connections to the proxy exceeded.", "53300")).cause())
                .as("53300 alone would read as the server's limit")
                .isEqualTo(FailureCause.PROXY_CLIENT_LIMIT);
    }

    @Test
    void anUndocumentedBorrowWordingIsNotTakenForAProxyTimeout() {
        assertThat(FailureClassifier.classify(new SQLException(
                "ERROR: request to borrow a connection from the pool timed out", "XX000")).cause())
                .isNotEqualTo(FailureCause.PROXY_WAIT_TIMEOUT);
    }

    @Test
    void driverSocketErrorsAreClassifiedThroughTheirCause() {
        PSQLException connectTimeout = new PSQLException("The connection attempt failed.",
                PSQLState.CONNECTION_UNABLE_TO_CONNECT, new SocketTimeoutException("Connect timed out"));
        PSQLException refused = new PSQLException("Connection to db.example:5432 refused. Check that the hostname"
                + " and port are correct and that the postmaster is accepting TCP/IP connections.",
                PSQLState.CONNECTION_UNABLE_TO_CONNECT, new ConnectException("Connection refused"));
        PSQLException readTimeout = new PSQLException("An I/O error occurred while sending to the backend.",
                PSQLState.CONNECTION_FAILURE, new SocketTimeoutException("Read timed out"));
        PSQLException eof = new PSQLException("An I/O error occurred while sending to the backend.",
                PSQLState.CONNECTION_FAILURE, new EOFException());

        assertThat(FailureClassifier.classify(connectTimeout).cause()).isEqualTo(FailureCause.CONNECT_TIMEOUT);
        assertThat(FailureClassifier.classify(refused).cause()).isEqualTo(FailureCause.CONNECTION_REFUSED);
        assertThat(FailureClassifier.classify(refused).sqlState()).isEqualTo("08001");
        assertThat(FailureClassifier.classify(readTimeout).cause()).isEqualTo(FailureCause.QUERY_TIMEOUT);
        assertThat(FailureClassifier.classify(eof).cause()).isEqualTo(FailureCause.CONNECTION_LOST);
        assertThat(FailureClassifier.classify(new PSQLException("This connection has been closed.",
                PSQLState.CONNECTION_DOES_NOT_EXIST)).cause()).isEqualTo(FailureCause.CONNECTION_LOST);
    }

    @Test
    void unknownErrorsAreOtherWithStatus500() {
        Failure failure = FailureClassifier.classify(new IllegalStateException("boom"));

        assertThat(failure.cause()).isEqualTo(FailureCause.OTHER);
        assertThat(failure.httpStatus()).isEqualTo(500);
        assertThat(failure.message()).isEqualTo("boom");
    }

    @Test
    void messagesAreRedacted() {
        Redactor.register("s3cret-pa55");
        Failure failure = FailureClassifier.classify(new SQLException(
                "could not connect to postgresql://app:s3cret-pa55@db:5432/app", "08001"));

        assertThat(failure.message()).doesNotContain("s3cret-pa55").contains("****");
    }

    @Test
    void aRealHikariPoolTimingOutAgainstAClosedPortIsAPoolTimeoutCausedByTheRefusal() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + closedPort + "/app");
        config.setUsername("app");
        config.setPassword("app");
        config.setConnectionTimeout(500);
        config.setInitializationFailTimeout(-1);
        config.setMaximumPoolSize(1);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            // Nothing listens on the port: getConnection waits connectionTimeout, then gives up.
            Throwable error = catchThrowable(() -> pool.getConnection().close());

            assertThat(error).as("getConnection must fail").isInstanceOf(SQLException.class);
            Failure failure = FailureClassifier.classify(error);
            assertThat(failure.cause()).isEqualTo(FailureCause.POOL_TIMEOUT);
            assertThat(failure.underlying()).isEqualTo(FailureCause.CONNECTION_REFUSED);
            assertThat(failure.httpStatus()).isEqualTo(503);
        }
    }
}
