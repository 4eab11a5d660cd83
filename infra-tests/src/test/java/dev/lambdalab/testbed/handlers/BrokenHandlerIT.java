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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The broken handler against a real PostgreSQL: every invocation leaks a pool of HikariCP's default size. */
@ExtendWith(LabExtension.class)
class BrokenHandlerIT {

    private TestBed testBed;

    @AfterEach
    void restoreLimit() {
        testBed.resetConnections();
        testBed.lab().setAppConnectionLimit(10);
    }

    @Test
    void everyInvocationLeavesAnotherPoolOfTenConnectionsOpen(TestBed testBed) throws InterruptedException {
        this.testBed = testBed;
        testBed.resetConnections();
        testBed.lab().setAppConnectionLimit(100); // room for 5 leaked pools: the growth, not the limit, is measured

        List<Integer> connectionsAfter = new ArrayList<>();
        List<String> environments = new ArrayList<>();
        try (EmulatedFunction broken = testBed.function(Variant.BROKEN, testBed.environment(null, Map.of()))) {
            for (int invocation = 1; invocation <= 5; invocation++) {
                Invocation result = broken.invoke(HttpApiEvents.get("/broken", 0));
                JsonNode answer = body(result, 200);
                assertThat(answer.path("poolsCreatedInEnvironment").asInt()).as("pools built by this environment")
                        .isEqualTo(invocation);
                environments.add(result.environmentId());
                // HikariCP fills each new pool to minimumIdle = 10 in the background: wait for it.
                connectionsAfter.add(awaitConnections(10 * invocation));
            }
        }

        assertThat(environments).as("all five invocations ran in one warm environment").containsOnly(environments.get(0));
        assertThat(connectionsAfter).as("connections of role app after each invocation").containsExactly(10, 20, 30, 40, 50);
    }

    private int awaitConnections(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        int connections = testBed.lab().appConnections();
        while (connections < expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
            connections = testBed.lab().appConnections();
        }
        Thread.sleep(100); // and nothing more arrives
        return testBed.lab().appConnections();
    }
}
