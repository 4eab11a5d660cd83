package dev.lambdalab.testbed.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.serve.HttpLoad.Answer;
import dev.lambdalab.testbed.support.LabExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code testbed serve}'s HTTP API driven by a real HTTP client at 50 concurrent clients. */
@ExtendWith(LabExtension.class)
class ServeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private LabServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private LabServer start(TestBed testBed) {
        testBed.resetConnections();
        testBed.lab().setAppConnectionLimit(10);
        server = new LabServer(testBed).withPort(0).start();
        return server;
    }

    private static Map<Integer, Long> byStatus(List<Answer> answers) {
        return answers.stream().collect(Collectors.groupingBy(Answer::status, Collectors.counting()));
    }

    @Test
    void theFixedRouteAnswersOnly2xxAndTheDatabaseStaysWithinTheProxysMaximum(TestBed testBed) throws Exception {
        LabExtension.assumePgBouncer(testBed);
        LabServer server = start(testBed);
        assertThat(server.proxied()).isTrue();

        List<Answer> answers = HttpLoad.run(server.baseUrl() + "/fixed", 50, Duration.ofSeconds(5));

        assertThat(answers).as("answers").hasSizeGreaterThan(200);
        assertThat(byStatus(answers)).as("statuses").containsOnlyKeys(200);
        Thread.sleep(1200); // one more sample
        JsonNode metrics = JSON.readTree(server.metricsJson());
        JsonNode fixed = metrics.path("routes").path("/fixed");
        assertThat(fixed.path("requests").asLong()).as("requests the server counted").isEqualTo(answers.size());
        assertThat(fixed.path("errors").asLong()).isZero();
        assertThat(fixed.path("peakDbConnections").asInt()).as("database connections of the fixed route")
                .isPositive().isLessThanOrEqualTo(metrics.path("proxy").path("databaseConnections").asInt());
        assertThat(metrics.path("peakDbConnections").asInt()).isLessThanOrEqualTo(5);
        assertThat(fixed.path("environments").path("created").asInt()).isBetween(2, 50);
        assertThat(metrics.path("proxy").path("kind").asText()).as("the default proxy").isEqualTo("rds-proxy");
        JsonNode last = metrics.path("series").get(metrics.path("series").size() - 1);
        assertThat(last.path("routes").path("/fixed").path("pinned").isInt()).as("pinned sampled: %s", last).isTrue();
        assertThat(last.path("routes").path("/fixed").path("pinned").asInt()).as("the fixed handler pins nothing").isZero();
    }

    @Test
    void theBrokenRouteAnswers5xxWhoseBodyNamesTheCause(TestBed testBed) throws Exception {
        LabServer server = start(testBed);

        List<Answer> answers = HttpLoad.run(server.baseUrl() + "/broken", 50, Duration.ofSeconds(4));

        List<Answer> failures = answers.stream().filter(a -> a.status() >= 500).toList();
        assertThat(failures).as("5xx answers under 50 clients").isNotEmpty();
        assertThat(answers).noneMatch(a -> a.status() == -1);
        Set<String> causes = failures.stream().map(a -> cause(a.body())).collect(Collectors.toSet());
        assertThat(causes).as("causes named in the bodies").isNotEmpty()
                .isSubsetOf("ROLE_CONNECTION_LIMIT", "POOL_TIMEOUT", "SERVER_CONNECTION_LIMIT");
        assertThat(failures).allSatisfy(a -> assertThat(a.status()).isEqualTo(503));
        JsonNode broken = JSON.readTree(server.metricsJson()).path("routes").path("/broken");
        assertThat(broken.path("errorsByCause").size()).isPositive();
    }

    private static String cause(String body) {
        try {
            return JSON.readTree(body).path("error").path("cause").asText();
        } catch (Exception e) {
            return "not JSON: " + body;
        }
    }

    @Test
    void itRoutesLikeTheHttpApiAndPassesBadInputToTheHandler(TestBed testBed) throws Exception {
        LabServer server = start(testBed);
        String base = server.baseUrl();

        assertThat(HttpLoad.get(base + "/nowhere").status()).isEqualTo(404);
        assertThat(HttpLoad.send(base + "/fixed", "POST", "{}").status()).as("no POST route").isEqualTo(404);
        Answer bad = HttpLoad.get(base + "/fixed?holdMs=abc");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).path("error").path("field").asText()).isEqualTo("holdMs");
        Answer repeated = HttpLoad.get(base + "/fixed?holdMs=1&holdMs=2");
        assertThat(JSON.readTree(repeated.body()).path("error").path("message").asText()).contains("got \"1,2\"");
        assertThat(HttpLoad.send(base + "/fixed", "GET", "x".repeat(2 * 1024 * 1024)).status()).isEqualTo(413);
        assertThat(HttpLoad.get(base + "/").body()).contains("el(\"canvas\"", "fetch(\"/metrics\"").doesNotContain("http://", "https://");
        JsonNode metrics = JSON.readTree(HttpLoad.get(base + "/metrics").body());
        assertThat(metrics.path("routes").has("/broken")).isTrue();
        assertThat(metrics.path("routes").path("/fixed").path("badRequests").asInt()).isEqualTo(2);
    }

    @Test
    void reservedConcurrencyAnswers429AndResetStartsOver(TestBed testBed) throws Exception {
        testBed.resetConnections();
        server = new LabServer(testBed).withPort(0).withFixedReservedConcurrency(2).start();

        List<Answer> answers = HttpLoad.run(server.baseUrl() + "/fixed?holdMs=200", 10, Duration.ofSeconds(2));

        Map<Integer, Long> statuses = byStatus(answers);
        assertThat(statuses).containsKeys(200, 429).containsOnlyKeys(200, 429);
        Answer throttled = answers.stream().filter(a -> a.status() == 429).findFirst().orElseThrow();
        assertThat(throttled.body()).contains("Too Many Requests", "ReservedFunctionConcurrentInvocationLimitExceeded");
        assertThat(HttpLoad.send(server.baseUrl() + "/reset", "POST", null).status()).isEqualTo(200);
        JsonNode after = JSON.readTree(server.metricsJson()).path("routes").path("/fixed");
        assertThat(after.path("requests").asInt()).isZero();
        assertThat(after.path("environments").path("alive").asInt()).isZero();
    }
}
