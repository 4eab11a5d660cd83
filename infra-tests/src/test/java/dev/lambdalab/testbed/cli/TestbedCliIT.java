package dev.lambdalab.testbed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdalab.testbed.cli.TestbedCliTest.Run;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code testbed reproduce} end to end: the table, the JSON in its documented schema, the HTML. */
class TestbedCliIT {

    @Test
    void reproducePrintsTheTableAndWritesJsonAndHtml(@TempDir Path reports) throws Exception {
        Path json = reports.resolve("run.json");
        Path html = reports.resolve("run.html");

        Run run = TestbedCliTest.run("reproduce", "--requests", "40", "--targets", "direct", "--models", "classic",
                "--json", json.toString(), "--html", html.toString());

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isZero();
        assertThat(run.out()).contains("SCENARIO", "broken-direct", "fixed-direct-within-limit",
                "FAILS (as expected)", "HOLDS (as expected)");
        assertThat(run.err()).contains("[1/4] broken-direct");
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.path("schemaVersion").asInt()).isEqualTo(1);
        assertThat(report.path("scenarios")).hasSize(4);
        for (JsonNode scenario : report.path("scenarios")) {
            for (String field : new String[] {"name", "variant", "target", "concurrency", "requests", "ok", "errors",
                "throttled", "peakDbConnections", "peakClientConnections", "environments", "latencyMs",
                "throughputPerSec"}) {
                assertThat(scenario.has(field)).as("field %s of %s", field, scenario.path("name")).isTrue();
            }
            assertThat(scenario.path("latencyMs").has("p99")).isTrue();
            assertThat(scenario.path("verdict").asText()).isEqualTo("as expected");
        }
        String page = Files.readString(html);
        assertThat(page).contains("<svg", "broken-direct", "fixed-direct-reserved-concurrency")
                .doesNotContain("<script", "http://", "https://");
        assertThat(page.split("<svg").length - 1).as("one chart per scenario").isEqualTo(4);
    }

    @Test
    void anUnreachableDatabaseIsAOneLineErrorWithoutThePassword(@TempDir Path reports) throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        Run run = TestbedCliTest.run("reproduce", "--postgres-url",
                "postgresql://postgres:hunter2-secret@127.0.0.1:" + closedPort + "/postgres",
                "--json", reports.resolve("r.json").toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("testbed: error: could not set up the lab database").doesNotContain(
                "hunter2-secret", "\tat ");
        assertThat(run.err().lines().filter(line -> line.startsWith("testbed: error")).count()).isEqualTo(1);
    }
}
