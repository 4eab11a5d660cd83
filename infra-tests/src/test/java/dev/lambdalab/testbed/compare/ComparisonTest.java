package dev.lambdalab.testbed.compare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdalab.testbed.ExecutionModel;
import dev.lambdalab.testbed.Target;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.compare.ComparisonRow.Agreement;
import dev.lambdalab.testbed.scenario.Scenario;
import dev.lambdalab.testbed.scenario.ScenarioResult;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** How AWS's numbers and the local prediction are set side by side, and when a row is flagged. */
class ComparisonTest {

    @Test
    void sharesAreComparedRatherThanCountsSinceTheRunsAnswerDifferentNumbersOfRequests() {
        // AWS answered 1,000 requests, 200 of them errors; locally 500 answered, 100 errors: 20 % each.
        ScenarioResult aws = result(800, Map.of("SERVER_CONNECTION_LIMIT", 200L), 0, 27, null, null, 120, 900);
        ScenarioResult local = result(400, Map.of("ROLE_CONNECTION_LIMIT", 100L), 0, 27, null, null, 100, 1100);

        Map<String, ComparisonRow> rows = byLabel(Comparison.of("broken", aws, 0.0, local, false));

        assertThat(rows.get("errors, % of requests").agreement()).as("20 %% of requests on both sides")
                .isEqualTo(Agreement.AGREES);
        assertThat(rows.get("errors, % of requests: SERVER_CONNECTION_LIMIT").agreement())
                .as("AWS meets the server's limit, the local run the role's: a cause row each, both flagged")
                .isEqualTo(Agreement.DISAGREES);
        assertThat(rows.get("errors, % of requests: SERVER_CONNECTION_LIMIT").likelyReason())
                .isEqualTo(Measure.ERROR_SHARE.likelyReason());
        assertThat(rows).as("no proxy rows for a direct route").doesNotContainKey("pinned database connections");
    }

    @Test
    void eachMeasureFlagsOnlyBeyondItsTolerance() {
        ScenarioResult aws = result(1000, Map.of(), 0, 15, 50, 0, 420, 1700);
        ScenarioResult local = result(700, Map.of(), 0, 15, 58, 5, 423, 6000);

        Map<String, ComparisonRow> rows = byLabel(Comparison.of("fixed", aws, 200.0, local, true));

        assertThat(rows.get("peak database connections").agreement()).isEqualTo(Agreement.AGREES);
        assertThat(rows.get("peak proxy client connections").agreement()).as("50 against 58: within 25 %%")
                .isEqualTo(Agreement.AGREES);
        assertThat(rows.get("pinned database connections").agreement()).as("0 against 5").isEqualTo(Agreement.DISAGREES);
        assertThat(rows.get("throttles, % of requests").aws()).as("CloudWatch's Throttles over AWS's requests")
                .isEqualTo(20.0);
        assertThat(rows.get("throttles, % of requests").agreement()).isEqualTo(Agreement.DISAGREES);
        assertThat(rows.get("p50 latency, ms").agreement()).isEqualTo(Agreement.AGREES);
        assertThat(rows.get("p99 latency, ms").agreement()).as("1.7 s against 6 s: beyond 3 x")
                .isEqualTo(Agreement.DISAGREES);
        assertThat(rows.get("p99 latency, ms").ratio()).isEqualTo(1700.0 / 6000.0);
    }

    @Test
    void aMetricCloudWatchDidNotPublishIsNoDataNotADisagreement() {
        ScenarioResult aws = result(100, Map.of(), 0, 5, null, null, 100, 200);
        ScenarioResult local = result(100, Map.of(), 0, 5, 20, 0, 100, 200);

        Map<String, ComparisonRow> rows = byLabel(Comparison.of("fixed", aws, null, local, true));

        assertThat(rows.get("pinned database connections").agreement()).isEqualTo(Agreement.NO_DATA);
        assertThat(rows.get("throttles, % of requests").agreement()).isEqualTo(Agreement.NO_DATA);
        assertThat(rows.get("pinned database connections").likelyReason()).isEmpty();
    }

    @Test
    void theTolerancesSayWhatTheyAllow() {
        assertThat(Measure.ERROR_SHARE.tolerance().describe()).isEqualTo("within 10 points");
        assertThat(Measure.PEAK_DATABASE_CONNECTIONS.tolerance().describe()).isEqualTo("within 2 or 25 %");
        assertThat(Measure.P99_MS.tolerance().describe()).isEqualTo("within 3 x");
        assertThat(Measure.P50_MS.tolerance().agrees(0, 0)).as("both zero").isTrue();
        assertThat(Measure.P50_MS.tolerance().agrees(0, 5)).as("zero against something").isFalse();
    }

    private static Map<String, ComparisonRow> byLabel(List<ComparisonRow> rows) {
        return rows.stream().collect(Collectors.toMap(ComparisonRow::label, Function.identity()));
    }

    private static ScenarioResult result(long ok, Map<String, Long> errors, long throttled, int peakDb,
            Integer peakClients, Integer pinned, double p50, double p99) {
        ScenarioResult.Setup setup = new ScenarioResult.Setup(Variant.FIXED, Target.PROXY, ExecutionModel.CLASSIC,
                "lambda", null, 50, (int) ok, 50, 27, null, null);
        ScenarioResult.Answers answers = new ScenarioResult.Answers(ok, errors, Map.of(), throttled,
                new ScenarioResult.Latency(p50, p50, p99), 0, 30_000, 0);
        ScenarioResult.Connections connections = new ScenarioResult.Connections(peakDb, peakClients, 0, pinned,
                Map.of());
        return new ScenarioResult("r", "r", setup, answers, connections, new ScenarioResult.Environments(1, 1, 0, 0,
                0, 1), ScenarioResult.Outcome.of(Scenario.Expectation.HOLDS, 0), List.of());
    }
}
