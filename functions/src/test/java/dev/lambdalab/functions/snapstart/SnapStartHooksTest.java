package dev.lambdalab.functions.snapstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.lambdalab.db.ExecutionEnvironment;
import dev.lambdalab.db.IamTokenCredentials;
import dev.lambdalab.db.PoolCheckpoint;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The hooks without a snapshot: what they do to the pool, the id and the credentials, on a clock the test
 * moves. (SnapStartIT in infra-tests runs them under the runtime client, with CRIU.)
 */
class SnapStartHooksTest {

    private static final Instant INIT = Instant.parse("2026-12-01T08:00:00Z");

    /** A clock the test sets: the wall clock a restored copy sees jumps by the time the snapshot was stored. */
    private static final class MovableClock extends Clock {
        private Instant now = INIT;

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aTokenCapturedAtInitAndOlderThanItsLifeIsSignedAgainInAfterRestoreBeforeTheFirstRequest() {
        MovableClock clock = new MovableClock();
        AtomicInteger signatures = new AtomicInteger();
        IamTokenCredentials credentials = new IamTokenCredentials("proxy.example", 5432, "app",
                (host, port, user) -> "token-" + signatures.incrementAndGet(), clock, IamTokenCredentials.DEFAULT_REUSE);
        try (HikariDataSource pool = suspendablePool()) {
            SnapStartHooks hooks = new SnapStartHooks("test", new PoolCheckpoint(pool), credentials);
            assertThat(credentials.getCredentials().getPassword()).isEqualTo("token-1"); // init's connection

            hooks.beforeCheckpoint(null);
            clock.now = INIT.plus(IamTokenCredentials.TOKEN_LIFETIME).plus(Duration.ofMinutes(5)); // restored 20 min later
            hooks.afterRestore(null);

            assertThat(signatures.get()).as("afterRestore signed a new token, before any request asked").isEqualTo(2);
            assertThat(credentials.signedAt()).as("signed at the restore, not at init").isEqualTo(clock.now);
            assertThat(credentials.getCredentials().getPassword()).as("the first request's login uses it")
                    .isEqualTo("token-2");
        }
    }

    @Test
    void afterRestoreGivesTheEnvironmentANewIdAndResumesThePool() {
        try (HikariDataSource pool = suspendablePool()) {
            SnapStartHooks hooks = new SnapStartHooks("test", new PoolCheckpoint(pool), new IamTokenCredentials("h", 1, "u",
                    (host, port, user) -> "t", Clock.systemUTC(), IamTokenCredentials.DEFAULT_REUSE));
            String atInit = ExecutionEnvironment.id();

            hooks.beforeCheckpoint(null);
            assertThat(pool.getHikariPoolMXBean().getTotalConnections()).as("nothing for the snapshot to carry").isZero();
            hooks.afterRestore(null);

            assertThat(ExecutionEnvironment.id()).as("a copy's own id").isNotEqualTo(atInit).matches("[0-9a-f]{32}");
            assertThat(pool.isRunning()).as("the pool runs again, not closed (HikariCP 2082)").isTrue();
        }
    }

    @Test
    void aPoolBuiltWithoutSuspensionIsRefusedWithTheReason() {
        HikariConfig config = config();
        config.setAllowPoolSuspension(false);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            assertThatThrownBy(() -> new PoolCheckpoint(pool)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("allowPoolSuspension").hasMessageContaining("LambdaPool.createSuspendable");
        }
    }

    private static HikariDataSource suspendablePool() {
        HikariConfig config = config();
        config.setAllowPoolSuspension(true);
        return new HikariDataSource(config);
    }

    private static HikariConfig config() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://127.0.0.1:1/none"); // never reached: minimumIdle 0, no borrow
        config.setMinimumIdle(0);
        config.setMaximumPoolSize(1);
        config.setInitializationFailTimeout(-1);
        config.setPoolName("hooks-test");
        return config;
    }
}
