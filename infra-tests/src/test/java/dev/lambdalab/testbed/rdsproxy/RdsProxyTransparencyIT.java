package dev.lambdalab.testbed.rdsproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.db.LabDatabase;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.support.LabExtension;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.copy.CopyManager;

/**
 * What a client sends through the emulator arrives as it would straight from PostgreSQL: COPY both ways, a cursor read
 * in pages (PortalSuspended), a large result, pgjdbc's pipelined batch with an error in the middle, notices, LISTEN and
 * NOTIFY, several statements in one simple query, binary results of named statements, a statement_timeout set with
 * SET, and a pinned backend terminated under its session. pgjdbc 42.7 is the client; each test also checks the pins
 * the proxy counted, so a feature that works only by pinning fails here (and one that should pin, but does not).
 */
@ExtendWith(LabExtension.class)
class RdsProxyTransparencyIT {

    private static final int ROWS = 20_000;

    private RdsProxyEmulator proxy;
    private TestBed testBed;

    @BeforeEach
    void lab(TestBed testBed) throws SQLException {
        this.testBed = testBed;
        testBed.resetConnections();
        testBed.lab().setAppConnectionLimit(10);
        try (Connection admin = testBed.server().superuserConnection(LabDatabase.DATABASE);
                Statement statement = admin.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS transparency");
            statement.execute("CREATE TABLE transparency (id int PRIMARY KEY, label text)");
            statement.execute("GRANT SELECT, INSERT, DELETE ON transparency TO " + LabDatabase.APP_ROLE);
        }
        proxy = testBed.rdsProxyEmulator(ProxySettings.DEFAULTS.withConnectionBorrowTimeout(Duration.ofSeconds(10)))
                .withServerConnectionLimit(20) // MaxConnectionsPercent 50 %: 10 database connections
                .start();
    }

    @AfterEach
    void stop() throws SQLException {
        proxy.close();
        testBed.resetConnections();
        try (Connection admin = testBed.server().superuserConnection(LabDatabase.DATABASE);
                Statement statement = admin.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS transparency");
        }
    }

    @Test
    void copyInAndOutPassWholeAndDoNotPin() throws Exception {
        StringBuilder rows = new StringBuilder();
        for (int i = 1; i <= ROWS; i++) {
            rows.append(i).append('\t').append("row ").append(i).append('\n');
        }
        try (Connection client = connect(new Properties())) {
            CopyManager copy = client.unwrap(PGConnection.class).getCopyAPI();
            long copiedIn = copy.copyIn("COPY transparency FROM STDIN", new StringReader(rows.toString()));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long copiedOut = copy.copyOut("COPY (SELECT * FROM transparency ORDER BY id) TO STDOUT", out);
            assertThat(copiedIn).as("rows COPY FROM STDIN stored").isEqualTo(ROWS);
            assertThat(copiedOut).as("rows COPY TO STDOUT sent").isEqualTo(ROWS);
            assertThat(out.toString(StandardCharsets.UTF_8)).as("COPY's bytes, unchanged").isEqualTo(rows.toString());
        }
        assertThat(proxy.metrics().sessionsPinned()).as("COPY is not on RDS Proxy's pinning list").isZero();
    }

    @Test
    void aCursorReadInPagesAndALargeResultArriveComplete() throws SQLException {
        fill();
        try (Connection client = connect(new Properties())) {
            client.setAutoCommit(false); // pgjdbc reads in pages only inside a transaction (a portal, PortalSuspended)
            try (PreparedStatement statement = client.prepareStatement(
                    "SELECT id, label FROM transparency ORDER BY id")) {
                statement.setFetchSize(100);
                long sum = 0;
                int count = 0;
                try (ResultSet result = statement.executeQuery()) {
                    while (result.next()) {
                        sum += result.getInt(1);
                        count++;
                    }
                }
                assertThat(count).as("rows read in pages of 100").isEqualTo(ROWS);
                assertThat(sum).as("sum of the ids").isEqualTo((long) ROWS * (ROWS + 1) / 2);
            }
            client.commit();
            client.setAutoCommit(true);
            try (Statement statement = client.createStatement();
                    ResultSet result = statement.executeQuery(
                            "SELECT repeat('x', 1000) FROM generate_series(1, 5000)")) {
                int count = 0;
                while (result.next()) {
                    assertThat(result.getString(1)).hasSize(1000);
                    count++;
                }
                assertThat(count).as("rows of a 5 MB result").isEqualTo(5000);
            }
        }
        assertThat(proxy.metrics().sessionsPinned()).as("a protocol-level portal does not pin").isZero();
    }

    @Test
    void aBatchWithAFailingStatementEndsAsItDoesStraightToPostgresql() throws SQLException {
        int direct;
        try (Connection client = DriverManager.getConnection(testBed.server().jdbcUrl(LabDatabase.DATABASE),
                LabDatabase.APP_ROLE, testBed.lab().appPassword())) {
            direct = batchWithDuplicate(client);
        }
        int throughProxy;
        try (Connection client = connect(new Properties())) {
            throughProxy = batchWithDuplicate(client);
            try (Statement statement = client.createStatement();
                    ResultSet result = statement.executeQuery("SELECT 1")) {
                assertThat(result.next()).as("the session goes on after the error").isTrue();
            }
        }
        assertThat(throughProxy).as("rows left by the batch (one Sync: pgjdbc's pipeline), proxy against direct")
                .isEqualTo(direct);
        assertThat(proxy.metrics().sessionsPinned()).isZero();
    }

    /** Inserts ids 1, 2, 2, 3 in one batch; returns the rows it left, and deletes them. */
    private static int batchWithDuplicate(Connection client) throws SQLException {
        try (PreparedStatement insert = client.prepareStatement("INSERT INTO transparency VALUES (?, ?)")) {
            for (int id : new int[] {1, 2, 2, 3}) {
                insert.setInt(1, id);
                insert.setString(2, "batch");
                insert.addBatch();
            }
            Throwable failure = catchThrowable(insert::executeBatch);
            assertThat(failure).as("the duplicate key in the middle of the pipeline")
                    .isInstanceOf(BatchUpdateException.class);
            assertThat(((SQLException) failure).getNextException().getSQLState()).isEqualTo("23505");
        }
        try (Statement statement = client.createStatement();
                ResultSet result = statement.executeQuery("SELECT count(*) FROM transparency")) {
            result.next();
            int left = result.getInt(1);
            statement.execute("DELETE FROM transparency");
            return left;
        }
    }

    @Test
    void noticesSeveralStatementsInOneQueryAndBinaryResultsPassUnchanged() throws SQLException {
        Properties simple = new Properties();
        simple.setProperty("preferQueryMode", "simple");
        try (Connection client = connect(simple); Statement statement = client.createStatement()) {
            statement.execute("DO $$ BEGIN RAISE NOTICE 'hello from the database'; END $$");
            SQLWarning warning = statement.getWarnings();
            assertThat(warning == null ? null : warning.getMessage()).as("the notice, as a warning")
                    .contains("hello from the database");
            assertThat(statement.execute("SELECT 1; SELECT 2, 3")).isTrue();
            List<Integer> firsts = new ArrayList<>();
            do {
                try (ResultSet result = statement.getResultSet()) {
                    result.next();
                    firsts.add(result.getInt(1));
                }
            } while (statement.getMoreResults());
            assertThat(firsts).as("both results of one simple query").containsExactly(1, 2);
        }
        Properties binary = new Properties();
        binary.setProperty("prepareThreshold", "1"); // a named statement from the first run: binary results
        try (Connection client = connect(binary);
                PreparedStatement statement = client.prepareStatement("SELECT ?::int8 * 2, decode('00ff10', 'hex')")) {
            for (long i = 0; i < 5; i++) {
                statement.setLong(1, Long.MAX_VALUE / 4 + i);
                try (ResultSet result = statement.executeQuery()) {
                    result.next();
                    assertThat(result.getLong(1)).isEqualTo((Long.MAX_VALUE / 4 + i) * 2);
                    assertThat(result.getBytes(2)).as("bytea").isEqualTo(new byte[] {0x00, (byte) 0xff, 0x10});
                }
            }
        }
        assertThat(proxy.metrics().sessionsPinned()).as("DO, multi-statement queries and named statements").isZero();
    }

    @Test
    void listenPinsAndTheNotificationArrives() throws SQLException {
        try (Connection listener = connect(new Properties()); Connection sender = connect(new Properties())) {
            try (Statement statement = listener.createStatement()) {
                statement.execute("LISTEN orders");
            }
            try (Statement statement = sender.createStatement()) {
                statement.execute("NOTIFY orders, 'order 42'");
            }
            PGNotification[] notifications = listener.unwrap(PGConnection.class).getNotifications(5_000);
            assertThat(notifications).as("NOTIFY delivered to the listening session").hasSize(1);
            assertThat(notifications[0].getParameter()).isEqualTo("order 42");
            assertThat(proxy.pinReasons()).as("LISTEN is on RDS Proxy's list").containsKey(PinReason.LISTEN.name());
        }
    }

    @Test
    void aStatementTimeoutSetWithSetPinsAndThenCancelsTheSlowQuery() throws SQLException {
        try (Connection client = connect(new Properties()); Statement statement = client.createStatement()) {
            statement.execute("SET statement_timeout = '200ms'");
            Throwable cancelled = catchThrowable(() -> statement.execute("SELECT pg_sleep(5)"));
            assertThat(cancelled).as("the server's own statement_timeout, through the proxy")
                    .isInstanceOf(SQLException.class);
            assertThat(((SQLException) cancelled).getSQLState()).isEqualTo("57014");
            try (ResultSet result = statement.executeQuery("SHOW statement_timeout")) {
                result.next();
                assertThat(result.getString(1)).as("the setting stays with the pinned session").isEqualTo("200ms");
            }
        }
        assertThat(proxy.pinReasons()).as("SET is on RDS Proxy's list").containsOnlyKeys(
                PinReason.SESSION_SETTING.name());
    }

    @Test
    void aPinnedBackendTerminatedUnderItsClientIsSeenByThatClientOnly() throws SQLException {
        try (Connection victim = connect(new Properties()); Connection other = connect(new Properties())) {
            int backend;
            try (Statement statement = victim.createStatement()) {
                statement.execute("SET work_mem = '8MB'"); // pins: the session keeps this backend
                try (ResultSet result = statement.executeQuery("SELECT pg_backend_pid()")) {
                    result.next();
                    backend = result.getInt(1);
                }
            }
            try (Connection admin = testBed.server().superuserConnection(LabDatabase.DATABASE);
                    PreparedStatement terminate = admin.prepareStatement("SELECT pg_terminate_backend(?)")) {
                terminate.setInt(1, backend);
                terminate.execute();
            }
            Throwable failure = catchThrowable(() -> {
                try (Statement statement = victim.createStatement()) {
                    statement.execute("SELECT 1");
                }
            });
            assertThat(failure).as("the client whose backend was terminated").isInstanceOf(SQLException.class);
            assertThat(failure.getMessage()).as("PostgreSQL's own words reach the client")
                    .contains("terminating connection due to administrator command");
            try (Statement statement = other.createStatement(); ResultSet result = statement.executeQuery("SELECT 1")) {
                assertThat(result.next()).as("another session goes on").isTrue();
            }
        }
        try (Connection fresh = connect(new Properties()); Statement statement = fresh.createStatement();
                ResultSet result = statement.executeQuery("SELECT 1")) {
            assertThat(result.next()).as("a new session after the termination").isTrue();
        }
    }

    private void fill() throws SQLException {
        try (Connection admin = testBed.server().superuserConnection(LabDatabase.DATABASE);
                Statement statement = admin.createStatement()) {
            statement.execute("INSERT INTO transparency SELECT i, 'row ' || i FROM generate_series(1, " + ROWS + ") i");
        }
    }

    private Connection connect(Properties extra) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", LabDatabase.APP_ROLE);
        properties.setProperty("password", testBed.lab().appPassword());
        properties.setProperty("assumeMinServerVersion", "9.0"); // startup parameters in the packet: no pin at login
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("socketTimeout", "30");
        properties.putAll(extra);
        return DriverManager.getConnection("jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + "/"
                + LabDatabase.DATABASE, properties);
    }
}
