package dev.lambdalab.testbed.handlers;

import static dev.lambdalab.testbed.support.Http.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.apigw.HttpApiEvents;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.Invocation;
import dev.lambdalab.testbed.support.LabExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The fixed handler against a real PostgreSQL: one pool of one connection per environment, reused. */
@ExtendWith(LabExtension.class)
class FixedHandlerIT {

    @Test
    void fixedPoolHoldsOneConnectionAcrossInvocations(TestBed testBed) throws Exception {
        testBed.resetConnections();
        Set<Integer> backendPids = new HashSet<>();
        Set<String> environments = new HashSet<>();
        int coldStarts = 0;
        try (EmulatedFunction fixed = testBed.function(Variant.FIXED, testBed.environment(null, Map.of()))) {
            for (int i = 0; i < 100; i++) {
                Invocation invocation = fixed.invoke(HttpApiEvents.get("/fixed", 0));
                JsonNode answer = body(invocation, 200);
                backendPids.add(answer.path("backendPid").asInt());
                environments.add(answer.path("environmentId").asText());
                coldStarts += answer.path("coldStart").asBoolean() ? 1 : 0;
                assertThat(answer.path("pool").path("total").asInt()).as("connections in the pool").isEqualTo(1);
                assertThat(answer.path("poolsCreatedInEnvironment").asInt()).isEqualTo(1);
            }
            assertThat(testBed.lab().appConnections()).as("server connections of role app").isEqualTo(1);
        }

        assertThat(backendPids).as("backend pids over 100 invocations").hasSize(1);
        assertThat(environments).hasSize(1);
        assertThat(coldStarts).isEqualTo(1);
    }

    @Test
    void applicationNameNamesTheFunctionAndTheEnvironment(TestBed testBed) throws Exception {
        testBed.resetConnections();
        try (EmulatedFunction fixed = testBed.function(Variant.FIXED, testBed.environment(null, Map.of()))) {
            JsonNode answer = body(fixed.invoke(HttpApiEvents.get("/fixed", 0)), 200);
            String environment = answer.path("environmentId").asText();

            try (Connection monitor = testBed.lab().monitorConnection();
                    PreparedStatement statement = monitor.prepareStatement(
                            "SELECT application_name FROM pg_stat_activity WHERE pid = ?")) {
                statement.setInt(1, answer.path("backendPid").asInt());
                try (ResultSet row = statement.executeQuery()) {
                    assertThat(row.next()).isTrue();
                    assertThat(row.getString(1)).as("application_name in pg_stat_activity")
                            .isEqualTo("lab-fixed:" + environment.substring(0, 12));
                }
            }
        }
    }
}
