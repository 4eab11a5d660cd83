package dev.lambdalab.testbed.rdsproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.lambdalab.db.FailureCause;
import dev.lambdalab.db.FailureClassifier;
import dev.lambdalab.testbed.db.LabDatabase;
import dev.lambdalab.testbed.proxy.ProxyKind;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.support.LabExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The RDS Proxy emulator with pgjdbc against the lab's PostgreSQL: multiplexing, pinning, limits, texts, TLS. */
@ExtendWith(LabExtension.class)
class RdsProxyEmulatorIT {

    private final List<String> pins = new CopyOnWriteArrayList<>();
    private RdsProxyEmulator proxy;
    private TestBed testBed;

    @BeforeEach
    void lab(TestBed testBed) {
        this.testBed = testBed;
        testBed.resetConnections();
        testBed.lab().setAppConnectionLimit(10);
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        testBed.resetConnections();
    }

    private RdsProxyEmulator start(ProxySettings settings) {
        proxy = testBed.rdsProxyEmulator(settings)
                .withPinListener(pins::add);
        return proxy;
    }

    private Connection connect(Properties extra) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", LabDatabase.APP_ROLE);
        properties.setProperty("password", testBed.lab().appPassword());
        properties.setProperty("assumeMinServerVersion", "9.0");
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("socketTimeout", "30");
        properties.putAll(extra);
        return DriverManager.getConnection("jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + "/lab", properties);
    }

    private Connection connect() throws SQLException {
        return connect(new Properties());
    }

    private static Properties with(String key, String value) {
        Properties properties = new Properties();
        properties.setProperty(key, value);
        return properties;
    }

    @Test
    void manyClientsShareFewDatabaseConnectionsAndNamedStatementsAreMultiplexed() throws Exception {
        start(ProxySettings.DEFAULTS.withMaxConnectionsPercent(20)).start(); // 2 database connections
        List<Connection> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                // prepareThreshold=1: pgjdbc names its statement (S_1) from the first use, on whichever
                // database connection the transaction lands.
                clients.add(connect(with("prepareThreshold", "1")));
            }
            ExecutorService pool = Executors.newFixedThreadPool(20);
            List<Future<Integer>> answers = new ArrayList<>();
            for (Connection client : clients) {
                answers.add(pool.submit(() -> {
                    int sum = 0;
                    try (PreparedStatement statement = client.prepareStatement("SELECT ?::int + 1")) {
                        for (int i = 0; i < 10; i++) {
                            statement.setInt(1, i);
                            try (ResultSet result = statement.executeQuery()) {
                                result.next();
                                sum += result.getInt(1);
                            }
                        }
                    }
                    return sum;
                }));
            }
            for (Future<Integer> answer : answers) {
                assertThat(answer.get()).as("sum of i+1 for i < 10 on every client").isEqualTo(55);
            }
            pool.shutdown();
            ProxyMetrics metrics = proxy.metrics();
            assertThat(metrics.clientConnections()).as("ClientConnections").isEqualTo(20);
            assertThat(metrics.databaseConnections()).as("DatabaseConnections: 20 %% of 10").isLessThanOrEqualTo(2);
            assertThat(metrics.databaseConnectionsCurrentlySessionPinned()).as("pinned").isZero();
            assertThat(testBed.lab().appConnections()).as("the role's backends").isLessThanOrEqualTo(2);
            assertThat(pins).as("pin lines").isEmpty();
        } finally {
            for (Connection client : clients) {
                client.close();
            }
        }
    }

    @Test
    void aSetPinsTheSessionAndTheOthersWaitThenGetTheBorrowTimeout() throws Exception {
        start(ProxySettings.DEFAULTS.withMaxConnectionsPercent(20).withConnectionBorrowTimeout(Duration.ofSeconds(1)))
                .start();
        try (Connection first = connect(); Connection second = connect(); Connection third = connect()) {
            for (Connection pinned : List.of(first, second)) {
                try (Statement statement = pinned.createStatement()) {
                    statement.execute("SET work_mem = '8MB'");
                }
            }
            assertThat(pins).as("one pin line per session").hasSize(2);
            assertThat(pins.get(0)).as("RDS Proxy's wording, with the reason and digest")
                    .startsWith("The client session was pinned to the database connection [dbConnection=")
                    .contains("for the remainder of the session. The proxy can't reuse this connection until the"
                            + " session ends. Reason: SQL changed session settings that the proxy doesn't track.")
                    .contains("Digest: \"set work_mem = $1\"");
            assertThat(proxy.metrics().databaseConnectionsCurrentlySessionPinned()).as("pinned").isEqualTo(2);
            Throwable refused = catchThrowable(() -> {
                try (Statement statement = third.createStatement()) {
                    statement.execute("SELECT 1");
                }
            });
            assertThat(refused).as("no connection frees up").hasMessageContaining(ProxyTexts.BORROW_TIMEOUT);
            assertThat(FailureClassifier.classify(refused).cause()).isEqualTo(FailureCause.PROXY_WAIT_TIMEOUT);
            assertThat(proxy.metrics().borrowTimeouts()).as("borrow timeouts").isEqualTo(1);
            try (Statement statement = first.createStatement(); ResultSet result = statement.executeQuery("SHOW work_mem")) {
                result.next();
                assertThat(result.getString(1)).as("the pinned session keeps its setting").isEqualTo("8MB");
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (proxy.metrics().databaseConnectionsCurrentlySessionPinned() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(proxy.metrics().databaseConnectionsCurrentlySessionPinned()).as("pins end with the session").isZero();
    }

    @Test
    void aQuotedSetAndATransactionLockDoNotPinButSetLocalDoesAndItsConnectionIsResetForTheNext() throws Exception {
        start(ProxySettings.DEFAULTS.withMaxConnectionsPercent(10)).start(); // one database connection
        try (Connection client = connect(); Statement statement = client.createStatement()) {
            statement.execute("SELECT 'SET x', $$PREPARE$$ /* DISCARD ALL */");
            client.setAutoCommit(false);
            statement.execute("SELECT pg_advisory_xact_lock(42)");
            client.commit();
        }
        assertThat(pins).as("no pin").isEmpty();
        int backend;
        try (Connection client = connect(); Statement statement = client.createStatement()) {
            client.setAutoCommit(false);
            // AWS's PostgreSQL list: "Using SET commands", no exception for SET LOCAL.
            statement.execute("SET LOCAL work_mem = '8MB'");
            statement.execute("SET application_name = 'left-behind'");
            client.commit();
            try (ResultSet result = statement.executeQuery("SELECT pg_backend_pid()")) {
                result.next();
                backend = result.getInt(1);
            }
        }
        assertThat(pins).as("SET LOCAL pins").hasSize(1).first().asString().contains("Digest: \"set local work_mem = $1\"");
        try (Connection next = connect(); Statement statement = next.createStatement();
                ResultSet result = statement.executeQuery("SELECT pg_backend_pid(), current_setting('application_name')")) {
            result.next();
            assertThat(result.getInt(1)).as("the pinned session's connection, reset and reused").isEqualTo(backend);
            assertThat(result.getString(2)).as("its session state reset").isNotEqualTo("left-behind");
        }
        assertThat(proxy.metrics().databaseConnectionsCurrentlySessionPinned()).as("no longer pinned").isZero();
    }

    @Test
    void pgjdbcWithoutAssumeMinServerVersionPinsOnItsStartupSet() throws Exception {
        start(ProxySettings.DEFAULTS).start();
        Properties defaults = new Properties();
        defaults.setProperty("assumeMinServerVersion", "8.4"); // below 9.0, as pgjdbc assumes by default
        defaults.setProperty("ApplicationName", "lab-fixed:test");
        try (Connection client = connect(defaults); Statement statement = client.createStatement()) {
            statement.execute("SELECT 1");
        }
        assertThat(pins).as("pgjdbc's SET after the login").hasSize(1);
        assertThat(pins.get(0)).contains("Digest: \"set");
        pins.clear();
        try (Connection client = connect(with("ApplicationName", "lab-fixed:test")); Statement statement = client.createStatement();
                ResultSet result = statement.executeQuery("SELECT current_setting('application_name')")) {
            result.next();
            assertThat(result.getString(1)).as("application_name from the startup packet reaches the server")
                    .isEqualTo("lab-fixed:test");
        }
        assertThat(pins).as("assumeMinServerVersion=9.0: no SET, no pin").isEmpty();
    }

    @Test
    void refusalsUseRdsProxysTextsAndAreClassified() throws Exception {
        start(ProxySettings.DEFAULTS.withMaxClientConnections(2)).start();
        Throwable options = catchThrowable(() -> connect(with("options", "-c work_mem=8MB")).close());
        assertThat(options).hasMessageContaining(ProxyTexts.unsupportedOption("options"));
        Properties wrong = with("password", "not-the-password");
        Throwable password = catchThrowable(() -> connect(wrong).close());
        assertThat(password).hasMessageContaining(ProxyTexts.wrongPassword(LabDatabase.APP_ROLE));
        assertThat(((SQLException) password).getSQLState()).as("the state CredentialsDataSource refreshes on")
                .isEqualTo("28P01");
        assertThat(FailureClassifier.classify(password).cause()).as(String.valueOf(password))
                .isEqualTo(FailureCause.AUTHENTICATION);
        Throwable stranger = catchThrowable(() -> connect(with("user", "stranger")).close());
        assertThat(stranger).hasMessageContaining(ProxyTexts.noCredentials("stranger"));
        assertThat(((SQLException) stranger).getSQLState()).isEqualTo("28000");
        try (Connection one = connect(); Connection two = connect()) {
            Throwable limit = catchThrowable(() -> connect().close());
            assertThat(limit).hasMessageContaining(ProxyTexts.clientLimit(2));
            assertThat(FailureClassifier.classify(limit).cause()).isEqualTo(FailureCause.PROXY_CLIENT_LIMIT);
            assertThat(one.isValid(2) && two.isValid(2)).as("the admitted clients still work").isTrue();
        }
    }

    @Test
    void requireTlsRefusesPlainClientsAndServesSslmodeRequire() throws Exception {
        proxy = start(ProxySettings.DEFAULTS).withRequireTls(true).start();
        Throwable plain = catchThrowable(() -> connect(with("sslmode", "disable")).close());
        assertThat(plain).hasMessageContaining("This RDS Proxy requires TLS connections");
        try (Connection client = connect(with("sslmode", "require")); Statement statement = client.createStatement();
                ResultSet result = statement.executeQuery("SELECT 1")) {
            assertThat(result.next()).as("a query over TLS").isTrue();
        }
    }

    @Test
    void aQueryTimeoutCannotCancelThroughTheProxy() throws Exception {
        start(ProxySettings.DEFAULTS).start();
        try (Connection client = connect(); Statement statement = client.createStatement()) {
            statement.setQueryTimeout(1);
            long started = System.nanoTime();
            statement.execute("SELECT pg_sleep(2)");
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertThat(millis).as("the query ran to its end: the cancel was dropped").isGreaterThanOrEqualTo(1900);
        }
        assertThat(proxy.metrics().cancelRequestsDropped()).as("CancelRequests dropped").isEqualTo(1);
    }

    @Test
    void theInitQueryRunsOnEveryNewDatabaseConnection() throws Exception {
        proxy = start(ProxySettings.DEFAULTS).withInitQuery("SET statement_timeout = '4321ms'").start();
        try (Connection client = connect(); Statement statement = client.createStatement();
                ResultSet result = statement.executeQuery("SHOW statement_timeout")) {
            result.next();
            assertThat(result.getString(1)).isEqualTo("4321ms");
        }
        assertThat(pins).as("the proxy's own InitQuery does not pin").isEmpty();
    }

    @Test
    void theTestBedStartsTheEmulatorByDefault() throws Exception {
        assertThat(testBed.proxyKind()).isEqualTo(ProxyKind.RDS_PROXY);
        assertThat(testBed.proxyAvailable()).as("nothing to install").isTrue();
    }
}
