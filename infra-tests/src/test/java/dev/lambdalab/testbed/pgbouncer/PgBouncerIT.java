package dev.lambdalab.testbed.pgbouncer;

import dev.lambdalab.testbed.proxy.Proxy;
import dev.lambdalab.testbed.proxy.ProxyKind;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.proxy.PoolsSnapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.lambdalab.db.Failure;
import dev.lambdalab.db.FailureCause;
import dev.lambdalab.db.FailureClassifier;
import dev.lambdalab.testbed.db.LabDatabase;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.support.LabExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The real PgBouncer as the test bed runs it: its pools, its limits and its errors, classified. */
@ExtendWith(LabExtension.class)
class PgBouncerIT {

    @BeforeEach
    void needsPgBouncer(TestBed testBed) {
        LabExtension.assumePgBouncer(testBed);
        testBed.resetConnections();
        testBed.lab().setAppConnectionLimit(10);
    }

    private static Connection through(Proxy proxy, TestBed testBed) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("user", LabDatabase.APP_ROLE);
        properties.setProperty("password", testBed.lab().appPassword());
        properties.setProperty("prepareThreshold", "0"); // transaction pooling
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("socketTimeout", "30");
        return DriverManager.getConnection("jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + "/lab", properties);
    }

    @Test
    void itsPoolIsMaxConnectionsPercentOfTheLimitAndShowPoolsCountsClients(TestBed testBed) throws Exception {
        try (Proxy proxy = testBed.startProxy(ProxyKind.PGBOUNCER, ProxySettings.DEFAULTS)) {
            assertThat(proxy.poolSize()).as("50 % of 10").isEqualTo(5);
            List<Connection> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 12; i++) {
                    Connection client = through(proxy, testBed);
                    try (Statement statement = client.createStatement()) {
                        statement.execute("SELECT 1");
                    }
                    clients.add(client);
                }
                PoolsSnapshot pools = ((PgBouncer) proxy).admin().pools();
                assertThat(pools.clients()).as("client connections").isEqualTo(12);
                assertThat(pools.servers()).as("server connections").isBetween(1, 5);
                assertThat(testBed.lab().appConnections()).isLessThanOrEqualTo(5);
            } finally {
                for (Connection client : clients) {
                    client.close();
                }
            }
        }
    }

    @Test
    void theConsoleAnswersManyConcurrentShowPoolsWithoutDroppingTheConnection(TestBed testBed) throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try (Proxy proxy = testBed.startProxy(ProxyKind.PGBOUNCER, ProxySettings.DEFAULTS)) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(callers.submit(() -> {
                    int answered = 0;
                    for (int j = 0; j < 200; j++) {
                        ((PgBouncer) proxy).admin().pools();
                        answered++;
                    }
                    return answered;
                }));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get()).isEqualTo(200);
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void moreClientsThanMaxClientConnIsAProxyClientLimit(TestBed testBed) throws Exception {
        try (Proxy proxy = testBed.startProxy(ProxyKind.PGBOUNCER, ProxySettings.DEFAULTS.withMaxClientConnections(4))) {
            List<Connection> clients = new ArrayList<>();
            try {
                Throwable refused = null;
                // The monitoring user's console takes one of the 4 slots.
                for (int i = 0; i < 5 && refused == null; i++) {
                    try {
                        clients.add(through(proxy, testBed));
                    } catch (Exception e) {
                        refused = e;
                    }
                }
                assertThat(refused).as("a connection beyond max_client_conn").isNotNull();
                Failure failure = FailureClassifier.classify(refused);
                assertThat(failure.cause()).isEqualTo(FailureCause.PROXY_CLIENT_LIMIT);
                assertThat(failure.message()).contains("no more connections allowed (max_client_conn)");
            } finally {
                for (Connection client : clients) {
                    client.close();
                }
            }
        }
    }

    @Test
    void aQueryThatWaitsLongerThanTheBorrowTimeoutIsAProxyWaitTimeout(TestBed testBed) throws Exception {
        ProxySettings oneConnection = ProxySettings.DEFAULTS.withMaxConnectionsPercent(10) // 10 % of 10 = 1
                .withConnectionBorrowTimeout(Duration.ofSeconds(1));
        try (Proxy proxy = testBed.startProxy(ProxyKind.PGBOUNCER, oneConnection);
                Connection holder = through(proxy, testBed);
                Connection waiter = through(proxy, testBed)) {
            assertThat(proxy.poolSize()).isEqualTo(1);
            ExecutorService background = Executors.newSingleThreadExecutor();
            try {
                Future<?> holding = background.submit(() -> {
                    try (Statement statement = holder.createStatement()) {
                        statement.execute("SELECT pg_sleep(3)"); // holds the only database connection
                    }
                    return null;
                });
                Thread.sleep(300);
                Throwable timedOut = catchThrowable(() -> {
                    try (Statement statement = waiter.createStatement()) {
                        statement.execute("SELECT 1");
                    }
                });

                Failure failure = FailureClassifier.classify(timedOut);
                assertThat(failure.cause()).as("%s", timedOut).isEqualTo(FailureCause.PROXY_WAIT_TIMEOUT);
                assertThat(failure.message()).contains("query_wait_timeout");
                assertThat(failure.sqlState()).isEqualTo("08P01");
                holding.get();
            } finally {
                background.shutdownNow();
            }
        }
    }

    @Test
    void itRunsAsAnUnprivilegedUserAndStopsWithItsFiles(TestBed testBed) throws Exception {
        Assumptions.assumeTrue(testBed.network().isEmpty(), "the process provider only (not the container one)");
        long pid;
        try (PgBouncer proxy = (PgBouncer) testBed.startProxy(ProxyKind.PGBOUNCER, ProxySettings.DEFAULTS)) {
            pid = proxy.pid();
            Process ps = new ProcessBuilder("ps", "-o", "user=", "-p", Long.toString(pid)).start();
            String user = new String(ps.getInputStream().readAllBytes()).strip();
            assertThat(user).as("PgBouncer's user").isNotEmpty();
            if ("root".equals(System.getProperty("user.name"))) {
                assertThat(user).as("PgBouncer refuses root: it runs as").isEqualTo("nobody");
            }
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("PgBouncer after close()").isFalse();
    }
}
