package dev.lambdalab.testbed.scenario;

import static dev.lambdalab.testbed.support.Http.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.Invocation;
import dev.lambdalab.testbed.load.HttpApiEvents;
import dev.lambdalab.testbed.support.LabExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A function timeout while a connection is held: Lambda discards the environment without closing
 * anything, so its connection stays on the server until the server drops it (here: the role's
 * idle_session_timeout of 2 s), and the environment's leftover pool never reconnects.
 */
@ExtendWith(LabExtension.class)
class TimeoutLeakIT {

    @Test
    void aTimedOutInvocationResetsItsEnvironmentAndLeaksItsConnectionUntilTheServerDropsIt(TestBed testBed)
            throws Exception {
        testBed.resetConnections();
        testBed.lab().setAppRoleSetting("idle_session_timeout", "2s");
        try (EmulatedFunction fixed = testBed.function(Variant.FIXED, testBed.environment(null, Map.of()))
                .withTimeout(Duration.ofSeconds(1))) {
            JsonNode warm = body(fixed.invoke(HttpApiEvents.get("/fixed", 0)), 200);
            int leakedPid = warm.path("backendPid").asInt();
            String leakedEnvironment = warm.path("environmentId").asText();

            Invocation timedOut = fixed.invoke(HttpApiEvents.get("/fixed", 2500));
            assertThat(timedOut.outcome()).isEqualTo(Invocation.Outcome.TIMED_OUT);
            assertThat(timedOut.errorMessage()).isEqualTo("Task timed out after 1.00 seconds");
            assertThat(backendExists(testBed, leakedPid)).as("the timed-out environment's connection is still there")
                    .isTrue();

            Invocation next = fixed.invoke(HttpApiEvents.get("/fixed", 0));
            JsonNode fresh = body(next, 200);
            assertThat(next.coldStart()).as("the next invocation initialises a new environment").isTrue();
            assertThat(fresh.path("environmentId").asText()).isNotEqualTo(leakedEnvironment);
            assertThat(fresh.path("backendPid").asInt()).isNotEqualTo(leakedPid);
            assertThat(fixed.metrics().connectionsHeldByDeadEnvironments()).as("connections held by dead environments")
                    .isEqualTo(1);

            // The query ends at 2.5 s, then the session is idle; the server ends it 2 s later.
            long start = System.nanoTime();
            while (backendExists(testBed, leakedPid) && System.nanoTime() - start < 10_000_000_000L) {
                Thread.sleep(100);
            }
            long droppedAfterMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(backendExists(testBed, leakedPid)).as("the server dropped the leaked connection").isFalse();
            assertThat(droppedAfterMillis).as("visible until the server dropped it").isGreaterThan(1000);
            Thread.sleep(1500); // the leftover pool's housekeeping would now try to refill
            assertThat(connectionsOfEnvironment(testBed, leakedEnvironment))
                    .as("the discarded environment's pool never reconnects").isZero();
        } finally {
            testBed.lab().setAppRoleSetting("idle_session_timeout", "0");
            testBed.resetConnections();
        }
    }

    private static boolean backendExists(TestBed testBed, int pid) throws Exception {
        try (Connection monitor = testBed.lab().monitorConnection();
                PreparedStatement statement = monitor.prepareStatement("SELECT 1 FROM pg_stat_activity WHERE pid = ?")) {
            statement.setInt(1, pid);
            try (ResultSet row = statement.executeQuery()) {
                return row.next();
            }
        }
    }

    private static int connectionsOfEnvironment(TestBed testBed, String environmentId) throws Exception {
        try (Connection monitor = testBed.lab().monitorConnection(); PreparedStatement statement = monitor.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE ?")) {
            statement.setString(1, "%:" + environmentId.substring(0, 12));
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }
}
