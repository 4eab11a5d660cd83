package dev.lambdalab.testbed.handlers;

import static dev.lambdalab.testbed.support.Http.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.apigw.HttpApiEvents;
import dev.lambdalab.testbed.db.LabDatabase;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.Invocation;
import dev.lambdalab.testbed.support.LabExtension;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad input is a 400 that names the field; a database that refuses is a 503 with the cause, in time. */
@ExtendWith(LabExtension.class)
class HandlerErrorsIT {

    private static final Map<String, String> FAST_POOL = Map.of("POOL_TIMEOUT_MS", "1000",
            "POOL_VALIDATION_TIMEOUT_MS", "500");

    static Stream<Arguments> badRequests() {
        return Stream.of(
                Arguments.of("holdMs=abc", query("holdMs", "abc"), "holdMs",
                        "holdMs must be an integer from 0 to 5000 (milliseconds), got \"abc\""),
                Arguments.of("holdMs=-1", query("holdMs", "-1"), "holdMs",
                        "holdMs must be an integer from 0 to 5000 (milliseconds), got \"-1\""),
                Arguments.of("holdMs=5001", query("holdMs", "5001"), "holdMs",
                        "holdMs must be an integer from 0 to 5000 (milliseconds), got \"5001\""),
                Arguments.of("holdMs repeated", query("holdMs", "1,2"), "holdMs",
                        "holdMs must be an integer from 0 to 5000 (milliseconds), got \"1,2\""),
                Arguments.of("unknown parameter", query("holdms", "5"), "holdms",
                        "unknown query parameter \"holdms\"; allowed: holdMs"),
                Arguments.of("missing event", null, "event",
                        "the event is missing: expected an API Gateway HTTP API (payload format 2.0) event"),
                Arguments.of("oversized body", HttpApiEvents.request("GET", "/fixed", Map.of(), Map.of(),
                        "x".repeat(70_000)), "body", "body must be at most 65536 bytes, got 70000"));
    }

    private static APIGatewayV2HTTPEvent query(String name, String value) {
        return HttpApiEvents.request("GET", "/fixed", Map.of(name, value), Map.of(), null);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void bothHandlersAnswer400NamingTheField(String label, APIGatewayV2HTTPEvent event, String field, String message,
            TestBed testBed) {
        testBed.resetConnections();
        for (Variant variant : Variant.values()) {
            try (EmulatedFunction function = testBed.function(variant, testBed.environment(null, Map.of()))) {
                JsonNode answer = body(function.invoke(event), 400);

                assertThat(answer.path("error").path("cause").asText()).isEqualTo("BAD_REQUEST");
                assertThat(answer.path("error").path("field").asText()).as("%s field", variant).isEqualTo(field);
                assertThat(answer.path("error").path("message").asText()).as("%s message", variant).isEqualTo(message);
                assertThat(answer.path("variant").asText()).isEqualTo(variant.label());
            }
        }
    }

    @Test
    void theBrokenHandlerOpensNoPoolForABadRequest(TestBed testBed) throws Exception {
        testBed.resetConnections();
        try (EmulatedFunction broken = testBed.function(Variant.BROKEN, testBed.environment(null, Map.of()))) {
            body(broken.invoke(query("holdMs", "x")), 400);
            // The same environment then serves a good request, which builds its pool: if the bad one had built
            // one too, the environment would count two. A count, not a wait for connections that never come.
            JsonNode good = body(broken.invoke(HttpApiEvents.get("/broken", 0)), 200);
            assertThat(good.path("coldStart").asBoolean()).as("the same, warm environment").isFalse();
            assertThat(good.path("poolsCreatedInEnvironment").asInt()).as("pools built in the environment after a"
                    + " bad request and a good one").isEqualTo(1);
        }
    }

    /**
     * AWS's Managed Instances example builds its pool with HikariCP's defaults during init, and HikariCP's fail-fast
     * check (initializationFailTimeout 1 ms) makes the pool's first refused connection fail the init itself: the
     * environment never serves, and the caller gets Lambda's init error, not the handler's 503.
     */
    @Test
    void theDefaultSizedExampleFailsItsInitWhenTheRoleIsFull(TestBed testBed) throws Exception {
        testBed.resetConnections();
        testBed.lab().setAppConnectionLimit(1);
        try (Connection occupier = appConnection(testBed);
                EmulatedFunction function = testBed.function(Variant.DEFAULT_POOL, testBed.environment(null, Map.of()))) {
            Invocation invocation = function.invoke(HttpApiEvents.get(Variant.DEFAULT_POOL.path(), 0));

            assertThat(invocation.outcome()).isEqualTo(Invocation.Outcome.INIT_ERROR);
            assertThat(invocation.errorType()).isEqualTo("com.zaxxer.hikari.pool.HikariPool$PoolInitializationException");
            assertThat(invocation.errorMessage()).contains("too many connections for role \"app\"");
            assertThat(occupier.isValid(1)).isTrue();
        } finally {
            testBed.resetConnections();
            testBed.lab().setAppConnectionLimit(10);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Variant.class, mode = EnumSource.Mode.EXCLUDE, names = "DEFAULT_POOL")
    void aRoleAtItsConnectionLimitGives503WithTheCauseWellWithinTheTimeout(Variant variant, TestBed testBed)
            throws Exception {
        testBed.resetConnections();
        testBed.lab().setAppConnectionLimit(1);
        try (Connection occupier = appConnection(testBed); // takes the role's only slot
                EmulatedFunction function = testBed.function(variant, testBed.environment(null, FAST_POOL))
                        .withTimeout(Duration.ofSeconds(15))) {
            long start = System.nanoTime();
            Invocation invocation = function.invoke(HttpApiEvents.get(variant.path(), 0));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            JsonNode error = body(invocation, 503).path("error");
            if (variant.poolPerEnvironment()) {
                assertThat(error.path("cause").asText()).isEqualTo("POOL_TIMEOUT");
                assertThat(error.path("underlyingCause").asText()).isEqualTo("ROLE_CONNECTION_LIMIT");
                assertThat(error.path("underlyingMessage").asText()).isEqualTo("FATAL: too many connections for role \"app\"");
            } else {
                assertThat(error.path("cause").asText()).isEqualTo("ROLE_CONNECTION_LIMIT");
                assertThat(error.path("message").asText()).isEqualTo("FATAL: too many connections for role \"app\"");
            }
            assertThat(error.path("sqlState").asText()).isEqualTo("53300");
            assertThat(error.path("hint").asText()).contains("CONNECTION LIMIT");
            assertThat(error.toString()).as("no stack trace in the body").doesNotContain("at dev.lambdalab", "Exception:");
            assertThat(took).as("answered well within the 15 s function timeout").isLessThan(Duration.ofSeconds(5));
            assertThat(occupier.isValid(1)).isTrue();
        } finally {
            testBed.resetConnections();
            testBed.lab().setAppConnectionLimit(10);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Variant.class, mode = EnumSource.Mode.EXCLUDE, names = "DEFAULT_POOL")
    void aDatabaseThatIsDownGives503ConnectionRefused(Variant variant, TestBed testBed) throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Map<String, String> environment = new java.util.HashMap<>(testBed.environment(null, FAST_POOL));
        environment.put("DB_PORT", Integer.toString(closedPort));
        try (EmulatedFunction function = testBed.function(variant, environment)) {
            long start = System.nanoTime();
            JsonNode error = body(function.invoke(HttpApiEvents.get(variant.path(), 0)), 503).path("error");

            String cause = variant.poolPerEnvironment() ? error.path("underlyingCause").asText() : error.path("cause").asText();
            assertThat(cause).isEqualTo("CONNECTION_REFUSED");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    private static Connection appConnection(TestBed testBed) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("user", LabDatabase.APP_ROLE);
        properties.setProperty("password", testBed.lab().appPassword());
        return DriverManager.getConnection(testBed.lab().server().jdbcUrl(LabDatabase.DATABASE), properties);
    }
}
