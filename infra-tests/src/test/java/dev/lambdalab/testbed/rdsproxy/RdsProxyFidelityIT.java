package dev.lambdalab.testbed.rdsproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.lambdalab.db.ConnectionSpec;
import dev.lambdalab.db.DbSettings;
import dev.lambdalab.db.SecretsManagerCredentials;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.db.LabDatabase;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.support.LabExtension;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Where the emulator follows AWS's texts and limits rather than its own ("Troubleshooting for RDS Proxy"): startup
 * parameters it refuses, a database that does not exist, a client that stalls in its login, and shared-db's refresh
 * of rotated credentials on RDS Proxy's codes. Bad input ends within its bound, never in a hang.
 */
@ExtendWith(LabExtension.class)
class RdsProxyFidelityIT {

    private RdsProxyEmulator proxy;
    private TestBed testBed;

    @BeforeEach
    void lab(TestBed testBed) {
        this.testBed = testBed;
        testBed.resetConnections();
        testBed.lab().setAppConnectionLimit(10);
        proxy = testBed.rdsProxyEmulator(ProxySettings.DEFAULTS.withConnectionBorrowTimeout(Duration.ofSeconds(120)))
                .withAuthenticationTimeout(Duration.ofMillis(800))
                .start();
    }

    @AfterEach
    void stop() {
        proxy.close();
        testBed.resetConnections();
    }

    @Test
    void aStartupParameterOutsideAwssListIsRefusedWithItsName() throws IOException, SQLException {
        Map<String, String> startup = new LinkedHashMap<>();
        startup.put("user", LabDatabase.APP_ROLE);
        startup.put("database", LabDatabase.DATABASE);
        startup.put("statement_timeout", "5000");
        try (RawClient client = new RawClient(proxy)) {
            client.startup(startup);
            Map<Character, String> error = client.error();
            assertThat(error.get('M')).isEqualTo(ProxyTexts.unsupportedOption("statement_timeout"));
            assertThat(error.get('C')).isEqualTo("0A000");
        }
        try (RawClient client = new RawClient(proxy)) {
            client.startup(Map.of("database", LabDatabase.DATABASE));
            assertThat(client.error().get('M')).as("no user").isEqualTo(ProxyTexts.USER_MISSING);
        }
        try (RawClient client = new RawClient(proxy)) {
            client.send(ByteBuffer.allocate(8).putInt(8).putInt(2 << 16).array());
            assertThat(client.error().get('M')).as("protocol 2.0").isEqualTo(ProxyTexts.PROTOCOL_3_ONLY);
        }
        try (Connection client = connect(LabDatabase.DATABASE, Map.of("DateStyle", "ISO"));
                Statement statement = client.createStatement(); ResultSet result = statement.executeQuery("SELECT 1")) {
            assertThat(result.next()).as("pgjdbc's own startup parameters pass").isTrue();
        }
    }

    @Test
    void aDatabaseThatDoesNotExistAnswersAtOnceWithTheDatabasesError() {
        long started = System.nanoTime();
        Throwable missing = catchThrowable(() -> {
            try (Connection client = connect("nosuchdb", Map.of()); Statement statement = client.createStatement()) {
                statement.execute("SELECT 1");
            }
        });
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertThat(missing).as("RDS Proxy's wrapping of the database's error")
                .hasMessageContaining(ProxyTexts.requestError("database \"nosuchdb\" does not exist"));
        assertThat(((SQLException) missing).getSQLState()).as("the database's own state").isEqualTo("3D000");
        assertThat(millis).as("answered at once, not after ConnectionBorrowTimeout (120 s)").isLessThan(5_000);
    }

    @Test
    void aClientThatStallsInTheMiddleOfScramIsDroppedAfterTheAuthenticationTimeout() throws IOException {
        try (RawClient client = new RawClient(proxy)) {
            client.startup(Map.of("user", LabDatabase.APP_ROLE, "database", LabDatabase.DATABASE));
            assertThat(client.readType()).as("AuthenticationSASL").isEqualTo('R');
            client.skipBody();
            long started = System.nanoTime();
            Map<Character, String> error = client.error(); // the client says nothing more
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertThat(error.get('M')).isEqualTo("canceling authentication due to timeout");
            assertThat(error.get('C')).isEqualTo("57014");
            assertThat(millis).as("dropped after the 800 ms timeout").isBetween(500L, 5_000L);
            assertThat(client.closed()).as("and the connection closed").isTrue();
        }
    }

    @Test
    void sharedDbReadsARotatedSecretAgainOnRdsProxysRefusal() throws SQLException {
        AtomicInteger reads = new AtomicInteger();
        SecretsManagerCredentials credentials = new SecretsManagerCredentials("lab-secret", id ->
                "{\"username\": \"app\", \"password\": \"" + (reads.incrementAndGet() == 1 ? "before-rotation"
                        : testBed.lab().appPassword()) + "\"}");
        DbSettings settings = DbSettings.from(Map.of("DB_HOST", proxy.host(), "DB_PORT", Integer.toString(proxy.port()),
                "DB_NAME", LabDatabase.DATABASE, "DB_AUTH", "secrets-manager", "DB_SECRET_ARN", "lab-secret"));
        try (Connection client = ConnectionSpec.withSecret(settings, credentials).dataSource().getConnection();
                Statement statement = client.createStatement(); ResultSet result = statement.executeQuery("SELECT 1")) {
            assertThat(result.next()).isTrue();
        }
        assertThat(reads).as("read at init, then again after the proxy's 28P01").hasValue(2);
    }

    @Test
    void theMetricsCountWhatCloudWatchsDefinitionsSay() throws SQLException {
        ProxyMetrics before = proxy.metrics();
        Throwable refused = catchThrowable(() -> DriverManager.getConnection("jdbc:postgresql://" + proxy.host() + ":"
                + proxy.port() + "/" + LabDatabase.DATABASE, LabDatabase.APP_ROLE, "not-the-password").close());
        assertThat(refused).as("a wrong password").isInstanceOf(SQLException.class);
        try (Connection client = connect(LabDatabase.DATABASE, Map.of("assumeMinServerVersion", "9.0"));
                Statement statement = client.createStatement()) {
            client.setAutoCommit(false);
            statement.execute("SELECT 1; SELECT 2"); // one query with two statements
            ProxyMetrics inTransaction = proxy.metrics();
            assertThat(inTransaction.databaseConnectionsInTransaction())
                    .as("DatabaseConnectionsCurrentlyInTransaction while BEGIN is open").isEqualTo(1);
            assertThat(inTransaction.maxDatabaseConnectionsAllowed())
                    .as("MaxDatabaseConnectionsAllowed: MaxConnectionsPercent of a limit of 10").isEqualTo(
                            Math.max(1, 10 * ProxySettings.DEFAULTS.maxConnectionsPercent() / 100));
            client.commit();
            assertThat(proxy.metrics().databaseConnectionsInTransaction()).as("after COMMIT").isZero();
        }
        ProxyMetrics period = proxy.metrics().since(before);
        assertThat(period.clientConnectionsSetupFailedAuth()).as("ClientConnectionsSetupFailedAuth").isEqualTo(1);
        assertThat(period.clientConnectionsSetupSucceeded()).as("ClientConnectionsSetupSucceeded").isEqualTo(1);
        assertThat(period.clientConnectionsReceived()).as("ClientConnectionsReceived").isEqualTo(2);
        // BEGIN and the two statements went as one simple query (pgjdbc prefixes BEGIN), then COMMIT: two requests.
        assertThat(period.queryRequests()).as("QueryRequests: a query of several statements counts once")
                .isEqualTo(2);
        assertThat(period.databaseConnectionsSetupSucceeded()).as("DatabaseConnectionsSetupSucceeded")
                .isEqualTo(period.databaseConnectionRequests());
    }

    private Connection connect(String database, Map<String, String> extra) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", LabDatabase.APP_ROLE);
        properties.setProperty("password", testBed.lab().appPassword());
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("socketTimeout", "30");
        properties.putAll(extra);
        return DriverManager.getConnection("jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + "/" + database,
                properties);
    }

    /** A client that writes the protocol's startup packets itself, to send what no driver sends. */
    private static final class RawClient implements AutoCloseable {
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;

        RawClient(RdsProxyEmulator proxy) throws IOException {
            socket = new Socket(proxy.host(), proxy.port());
            socket.setSoTimeout(10_000);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        void startup(Map<String, String> parameters) throws IOException {
            StringBuilder body = new StringBuilder();
            parameters.forEach((name, value) -> body.append(name).append('\0').append(value).append('\0'));
            body.append('\0');
            byte[] text = body.toString().getBytes(StandardCharsets.UTF_8);
            send(ByteBuffer.allocate(8 + text.length).putInt(8 + text.length).putInt(196_608).put(text).array());
        }

        void send(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        char readType() throws IOException {
            return (char) in.readByte();
        }

        void skipBody() throws IOException {
            in.readFully(new byte[in.readInt() - 4]);
        }

        /** The next ErrorResponse's fields. */
        Map<Character, String> error() throws IOException {
            char type = readType();
            assertThat(type).as("an ErrorResponse").isEqualTo('E');
            byte[] body = new byte[in.readInt() - 4];
            in.readFully(body);
            Map<Character, String> fields = new LinkedHashMap<>();
            int at = 0;
            while (at < body.length && body[at] != 0) {
                char field = (char) body[at++];
                int end = at;
                while (body[end] != 0) {
                    end++;
                }
                fields.put(field, new String(body, at, end - at, StandardCharsets.UTF_8));
                at = end + 1;
            }
            return fields;
        }

        boolean closed() throws IOException {
            try {
                return in.read() < 0;
            } catch (EOFException e) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
