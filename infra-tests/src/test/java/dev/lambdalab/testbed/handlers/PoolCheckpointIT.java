package dev.lambdalab.testbed.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.lambdalab.db.PoolCheckpoint;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.support.LabExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * {@link PoolCheckpoint} against a real PostgreSQL and a login HikariCP began on its own thread before the
 * beforeCheckpoint hook and that finished after it: the race SnapStartIT can only hit by chance, made certain here by
 * holding the login until the pool was emptied.
 */
@ExtendWith(LabExtension.class)
class PoolCheckpointIT {

    /** pgjdbc's DataSource, whose logins wait for the test's go-ahead and are told apart by application_name. */
    private static final class HeldLogins extends PGSimpleDataSource {
        private static final long serialVersionUID = 1L; // pgjdbc's DataSource is Serializable; this one never is
        final transient CountDownLatch firstStarted = new CountDownLatch(1);
        final transient CountDownLatch firstMayFinish = new CountDownLatch(1);
        final transient AtomicInteger logins = new AtomicInteger();

        @Override
        public Connection getConnection() throws SQLException {
            int n = logins.incrementAndGet();
            if (n == 1) {
                firstStarted.countDown();
                try {
                    if (!firstMayFinish.await(30, TimeUnit.SECONDS)) {
                        throw new SQLException("the test never let the first login finish");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted", e);
                }
            }
            setApplicationName("login-" + n);
            return super.getConnection();
        }
    }

    @Test
    void aLoginThatFinishesAfterTheCheckpointIsEvictedAtTheRestoreNotLentToTheFirstRequest(TestBed testBed)
            throws Exception {
        testBed.resetConnections();
        HeldLogins logins = new HeldLogins();
        logins.setServerNames(new String[] {testBed.server().host()});
        logins.setPortNumbers(new int[] {testBed.server().port()});
        logins.setDatabaseName(testBed.lab().names().database());
        logins.setUser(testBed.lab().names().appRole());
        logins.setPassword(testBed.lab().appPassword());
        HikariConfig config = new HikariConfig();
        config.setDataSource(logins);
        config.setPoolName("checkpoint-race");
        config.setMaximumPoolSize(1);
        config.setMinimumIdle(1);
        config.setInitializationFailTimeout(-1); // the fill runs on HikariCP's thread, as after a failed first attempt
        config.setAllowPoolSuspension(true);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            assertThat(logins.firstStarted.await(30, TimeUnit.SECONDS)).as("HikariCP's fill began a login").isTrue();
            PoolCheckpoint checkpoint = new PoolCheckpoint(pool);
            HikariPoolMXBean bean = pool.getHikariPoolMXBean();

            assertThat(checkpoint.emptyAndSuspend()).as("beforeCheckpoint: nothing held yet, the login is in flight")
                    .isZero();
            logins.firstMayFinish.countDown();
            awaitTotal(bean, 1); // the late connection lands in the suspended pool: this is what a snapshot carries

            assertThat(checkpoint.resume()).as("afterRestore evicts the connection from before the snapshot").isOne();
            try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement();
                    ResultSet row = statement.executeQuery("SELECT current_setting('application_name')")) {
                row.next();
                assertThat(row.getString(1)).as("the first request's connection was opened after the restore")
                        .isEqualTo("login-2");
            }
            assertThat(logins.logins.get()).as("one login before the snapshot, one after").isEqualTo(2);
        }
    }

    private static void awaitTotal(HikariPoolMXBean bean, int total) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (bean.getTotalConnections() != total) {
            assertThat(Instant.now()).as("the pool reaches " + total + " connection(s)").isBefore(deadline);
            Thread.sleep(10);
        }
    }
}
