package dev.lambdalab.testbed.handlers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.apigw.HttpApiGateway;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.Invocation;
import dev.lambdalab.testbed.support.LabExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Thousands of random API Gateway events at both handlers: malformed query strings, out-of-range and
 * non-numeric holdMs, unknown parameters, oversized bodies, missing parts. Every answer must be a 200
 * for a valid request or a 400 naming a field that is wrong, never a 500 or a Lambda error, each well
 * within the function timeout, and no connection may be left behind.
 *
 * <p>Deterministic: the seed is fixed (override with -Dfuzz.seed=N, -Dfuzz.cases=N) and every failure
 * names the case and the seed, so it can be replayed.
 */
@ExtendWith(LabExtension.class)
class HandlerFuzzIT {

    private static final long SEED = Long.getLong("fuzz.seed", 20261128L);
    private static final int CASES = Integer.getInteger("fuzz.cases", 3000);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void randomEventsGet200Or400NamingTheFieldNever500AndTheFixedHandlerKeepsOneConnection(TestBed testBed)
            throws Exception {
        testBed.resetConnections();
        RandomEvents events = new RandomEvents(SEED);
        int valid = 0;
        try (EmulatedFunction fixed = testBed.function(Variant.FIXED, testBed.environment(null, Map.of()))
                .withTimeout(Duration.ofSeconds(5))) {
            for (int i = 0; i < CASES; i++) {
                RandomEvents.Case c = events.next(i, true);
                check(c, fixed.invoke(c.event()), Variant.FIXED);
                valid += c.valid() ? 1 : 0;
            }
            assertThat(valid).as("valid requests among the %d cases", CASES).isGreaterThan(CASES / 10);
            assertThat(fixed.metrics().environmentsCreated()).as("one caller at a time: one environment").isEqualTo(1);
            assertThat(testBed.lab().appConnections()).as("connections after %d events", CASES).isEqualTo(1);
        }
    }

    @Test
    void malformedEventsNeverMakeTheBrokenHandlerBuildAPool(TestBed testBed) throws Exception {
        testBed.resetConnections();
        RandomEvents events = new RandomEvents(SEED + 1);
        try (EmulatedFunction broken = testBed.function(Variant.BROKEN, testBed.environment(null, Map.of()))
                .withTimeout(Duration.ofSeconds(5))) {
            for (int i = 0; i < CASES; i++) {
                RandomEvents.Case c = events.next(i, false);
                check(c, broken.invoke(c.event()), Variant.BROKEN);
            }
            assertThat(testBed.lab().appConnections()).as("a refused request opens no connection").isZero();
        }
    }

    private static void check(RandomEvents.Case c, Invocation invocation, Variant variant) throws Exception {
        String where = variant.label() + " case " + c.index() + " (seed " + SEED + ", " + c.description() + ")";
        if (invocation.outcome() != Invocation.Outcome.SUCCESS) {
            fail(where + ": Lambda " + invocation.outcome() + " " + invocation.errorType() + ": " + invocation.errorMessage());
        }
        assertThat(invocation.duration()).as(where + " duration").isLessThan(Duration.ofSeconds(2));
        HttpApiGateway.Answer answer = HttpApiGateway.answer(invocation);
        JsonNode body = JSON.readTree(answer.body());
        if (c.valid()) {
            assertThat(answer.status()).as(where + ": " + answer.body()).isEqualTo(200);
            return;
        }
        assertThat(answer.status()).as(where + ": " + answer.body()).isEqualTo(400);
        JsonNode error = body.path("error");
        assertThat(error.path("cause").asText()).as(where).isEqualTo("BAD_REQUEST");
        assertThat(error.path("field").asText()).as(where + " field").isIn(c.expectedFields());
        String message = error.path("message").asText();
        assertThat(message).as(where + " message").isNotBlank().hasSizeLessThan(300)
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(message.chars().noneMatch(Character::isISOControl)).as(where + " message has no control characters")
                .isTrue();
    }
}
