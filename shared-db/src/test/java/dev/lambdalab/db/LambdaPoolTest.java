package dev.lambdalab.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pool's size follows the execution model: one connection per invocation the environment runs at once. */
class LambdaPoolTest {

    private static Map<String, String> local(String... pairs) {
        Map<String, String> env = new HashMap<>(Map.of("DB_HOST", "localhost", "DB_USER", "app",
                "DB_PASSWORD", "pw-pool-test"));
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private static int builtSize(Map<String, String> env) {
        // initializationFailTimeout -1: building the pool opens no connection, so nothing needs a server.
        try (HikariDataSource pool = LambdaPool.create(ConnectionSpec.create(DbSettings.from(env)), "fixed")) {
            return pool.getMaximumPoolSize();
        }
    }

    @Test
    void onClassicLambdaThePoolHasOneConnection() {
        assertThat(builtSize(local())).as("one request at a time per environment").isEqualTo(1);
        assertThat(LambdaPool.smallerThanConcurrency(DbSettings.from(local()))).isEmpty();
    }

    @Test
    void onManagedInstancesThePoolHasOneConnectionPerThread() {
        Map<String, String> env = local("AWS_LAMBDA_MAX_CONCURRENCY", "32");

        assertThat(builtSize(env)).as("AWS_LAMBDA_MAX_CONCURRENCY threads share the pool").isEqualTo(32);
        assertThat(LambdaPool.smallerThanConcurrency(DbSettings.from(env))).as("nothing to warn about").isEmpty();
    }

    @Test
    void aPoolSmallerThanTheConcurrencyIsExplainedWithItsReasonAndItsCost() {
        DbSettings settings = DbSettings.from(local("AWS_LAMBDA_MAX_CONCURRENCY", "32", "POOL_MAX_SIZE", "1"));

        assertThat(LambdaPool.smallerThanConcurrency(settings)).hasValue("maximumPoolSize 1 is below this"
                + " environment's concurrency 32 (AWS_LAMBDA_MAX_CONCURRENCY): up to 31 invocations at a time wait for"
                + " a connection, each for at most connectionTimeout 3000 ms; the size comes from POOL_MAX_SIZE"
                + " (variable), the rule for classic Lambda, where an environment serves one request at a time");
    }

    @Test
    void aBudgetedPoolBelowTheConcurrencyIsExplainedWithoutTheClassicRule() {
        DbSettings settings = DbSettings.from(local("AWS_LAMBDA_MAX_CONCURRENCY", "32", "POOL_MAX_SIZE", "5"));

        assertThat(LambdaPool.smallerThanConcurrency(settings)).get().asString()
                .startsWith("maximumPoolSize 5 is below this environment's concurrency 32")
                .contains("up to 27 invocations").doesNotContain("classic");
    }
}
