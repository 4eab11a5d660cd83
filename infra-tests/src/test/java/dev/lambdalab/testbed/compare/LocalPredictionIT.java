package dev.lambdalab.testbed.compare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdalab.testbed.aws.AwsExperiment;
import dev.lambdalab.testbed.aws.StackOutputs;
import dev.lambdalab.testbed.compare.ComparisonRow.Agreement;
import dev.lambdalab.testbed.report.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code testbed aws --compare}'s local side end to end: a stack's parameters on template.yaml, both routes on an
 * embedded PostgreSQL and the emulators, and the comparison written. Set beside itself, a run must agree on every row:
 * the comparison's own arithmetic is {@link ComparisonTest}'s.
 */
class LocalPredictionIT {

    @Test
    void bothRoutesRunFromTheStacksParametersAndAComparisonWithItselfAgreesOnEveryRow(@TempDir Path reports)
            throws Exception {
        // max_connections 13: the role's limit is 10, the proxy's 50 % gives 6 database connections.
        StackOutputs stack = new StackOutputs("lab", "https://api.example/broken", "https://api.example/fixed",
                "lab-database-1a2b", "lab-proxy", "lab-Broken", "lab-Fixed", 13, 50,
                Map.of("MaxConnections", "13", "MaxConnectionsPercent", "50"));
        AwsExperiment.Plan plan = new AwsExperiment.Plan("lab", null, 12, Duration.ofSeconds(4), 50, Duration.ZERO,
                Duration.ZERO);
        List<String> progress = new ArrayList<>();

        LocalPrediction.Routes local = LocalPrediction.run(plan, stack, Path.of("..", "template.yaml"), progress::add);

        assertThat(local.broken().setup().roleConnectionLimit()).as("max_connections - 3").isEqualTo(10);
        assertThat(local.broken().answers().errorCount()).as("12 callers' leaked pools of 10 against a limit of 10")
                .isPositive();
        assertThat(local.fixed().answers().errorCount()).as("the fix behind the proxy").isZero();
        assertThat(local.fixed().connections().peakDbConnections()).as("the proxy's 50 %% of 13")
                .isLessThanOrEqualTo(6);
        assertThat(progress).as("what the run said it did").anyMatch(line -> line.contains("role limit 10"));

        Report asIfAws = new Report(1, "testbed aws", "2026-12-03T00:00:00Z", Map.of("stack", "lab"),
                List.of(local.broken(), local.fixed()));
        ComparisonReport comparison = Comparison.report(new AwsExperiment.Outcome(asIfAws, stack,
                Map.of("brokenThrottles", (double) local.broken().answers().throttled()),
                Map.of("fixedThrottles", (double) local.fixed().answers().throttled())), local, "2026-12-03T00:00:00Z");
        assertThat(comparison.rows()).as("a run against itself").extracting(ComparisonRow::agreement)
                .containsOnly(Agreement.AGREES);
        comparison.writeJson(reports.resolve("aws.json"));
        comparison.writeHtml(reports.resolve("aws.html"));
        assertThat(Files.readString(reports.resolve("aws.json"))).contains("\"disagreements\" : 0", "\"local\"",
                "\"rows\"", "\"ratio\"", "\"label\" : \"peak database connections\"");
        assertThat(Files.readString(reports.resolve("aws.html"))).contains("0 of " + comparison.rows().size());
        assertThat(comparison.table()).contains("peak proxy client connections", "AGREES");
    }
}
