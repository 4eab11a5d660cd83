package dev.lambdalab.testbed.cli;

import dev.lambdalab.testbed.aws.AwsExperiment;
import dev.lambdalab.testbed.compare.Comparison;
import dev.lambdalab.testbed.compare.ComparisonReport;
import dev.lambdalab.testbed.compare.LocalPrediction;
import dev.lambdalab.testbed.compare.Measure;
import dev.lambdalab.testbed.report.Report;
import dev.lambdalab.testbed.report.TextTable;
import dev.lambdalab.testbed.scenario.Verdict;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code testbed aws}: the same experiment against a deployed stack, with CloudWatch's numbers. */
@Command(name = "aws", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Drives the same load at both routes of a deployed stack of template.yaml, then reads CloudWatch"
                + " (DatabaseConnections of the instance, ClientConnections and DatabaseConnections of the proxy, Errors,"
                + " Throttles and ConcurrentExecutions of each function) and prints the same table as reproduce.",
            "With --compare, the same experiment then runs locally from the stack's own parameters, and one table sets"
                + " AWS beside the local prediction.",
            "Credentials and region come from the AWS SDK's default chains. --dry-run calls nothing."})
final class AwsCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--stack", paramLabel = "NAME", required = true, description = "The stack's name (sam deploy's).")
    private String stack;

    @Option(names = "--region", paramLabel = "REGION", description = "The stack's region (default: the SDK's chain).")
    private String region;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "50",
            description = "Concurrent callers per route (1..1000, default: ${DEFAULT-VALUE}).")
    private int concurrency;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "30",
            description = "Seconds of load per route (5..900, default: ${DEFAULT-VALUE}).")
    private int seconds;

    @Option(names = "--hold-ms", paramLabel = "MS", defaultValue = "50",
            description = "How long each request holds its connection (0..5000, default: ${DEFAULT-VALUE}).")
    private int holdMillis;

    @Option(names = "--pause-s", paramLabel = "S", defaultValue = "60",
            description = "Pause between the routes, so their CloudWatch minutes differ (0..600, default: ${DEFAULT-VALUE}).")
    private int pauseSeconds;

    @Option(names = "--metrics-wait-s", paramLabel = "S", defaultValue = "180",
            description = "Wait for CloudWatch to publish before reading it (0..1800, default: ${DEFAULT-VALUE}).")
    private int metricsWaitSeconds;

    @Option(names = "--dry-run", description = "Print what would be called, with which parameters; call nothing.")
    private boolean dryRun;

    @Option(names = "--compare", description = "Then run the same experiment locally, set up from the stack's own"
            + " parameters, and print AWS | local prediction | ratio per route and measure, flagging every"
            + " disagreement beyond its tolerance with its likely reason.")
    private boolean compare;

    @Option(names = "--template", paramLabel = "FILE", defaultValue = "template.yaml",
            description = "With --compare: the template the stack was deployed from (default: ${DEFAULT-VALUE}).")
    private Path template;

    @Option(names = "--json", paramLabel = "FILE", defaultValue = "reports/aws.json",
            description = "Write the results as JSON here (default: ${DEFAULT-VALUE}).")
    private Path json;

    @Option(names = "--html", paramLabel = "FILE", defaultValue = "reports/aws.html",
            description = "Write the HTML report here (default: ${DEFAULT-VALUE}).")
    private Path html;

    @Override
    public Integer call() throws Exception {
        TestBedOptions.require(spec, stack.matches("[A-Za-z][A-Za-z0-9-]{0,127}"),
                "--stack must be a CloudFormation stack name (a letter, then letters, digits or '-'), got \"" + stack + "\"");
        TestBedOptions.require(spec, region == null || region.matches("[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\\d"),
                "--region must be an AWS region such as eu-west-1, got \"" + region + "\"");
        TestBedOptions.require(spec, concurrency >= 1 && concurrency <= 1000,
                "--concurrency must be from 1 to 1000, got " + concurrency);
        TestBedOptions.require(spec, seconds >= 5 && seconds <= 900, "--seconds must be from 5 to 900, got " + seconds);
        TestBedOptions.require(spec, holdMillis >= 0 && holdMillis <= 5000, "--hold-ms must be from 0 to 5000, got " + holdMillis);
        TestBedOptions.require(spec, pauseSeconds >= 0 && pauseSeconds <= 600, "--pause-s must be from 0 to 600, got " + pauseSeconds);
        TestBedOptions.require(spec, metricsWaitSeconds >= 0 && metricsWaitSeconds <= 1800,
                "--metrics-wait-s must be from 0 to 1800, got " + metricsWaitSeconds);
        AwsExperiment.Plan plan = new AwsExperiment.Plan(stack, region, concurrency, Duration.ofSeconds(seconds), holdMillis,
                Duration.ofSeconds(pauseSeconds), Duration.ofSeconds(metricsWaitSeconds));
        PrintWriter out = spec.commandLine().getOut();
        TestBedOptions.require(spec, !compare || Files.isRegularFile(template), "--template must name the template the"
                + " stack was deployed from, for --compare; " + template + " is not a file");
        if (dryRun) {
            AwsExperiment.dryRun(plan).forEach(out::println);
            if (compare) {
                out.println("  7. the same experiment on this machine: " + template + " with the stack's parameters from"
                        + " step 1, an embedded PostgreSQL whose role limit is MaxConnections - "
                        + LocalPrediction.SUPERUSER_RESERVED + ", the Lambda and RDS Proxy emulators; " + concurrency
                        + " callers for " + seconds + " s per route, holdMs=" + holdMillis);
                out.println("  8. print AWS | local | AWS/local per route for each measure:");
                for (Measure measure : Measure.values()) {
                    out.println("       " + measure.label() + " (agree " + measure.tolerance().describe() + ")");
                }
                out.println("  9. write " + json + " and " + html + " with both runs and the comparison");
            } else {
                out.println("  7. write " + json + " and " + html);
            }
            return 0;
        }
        PrintWriter err = spec.commandLine().getErr();
        AwsExperiment.Outcome outcome = AwsExperiment.run(plan, line -> err.println("  " + line));
        Report report = outcome.report();
        if (compare) {
            LocalPrediction.Routes local = LocalPrediction.run(plan, outcome.stack(), template,
                    line -> err.println("  " + line));
            ComparisonReport comparison = Comparison.report(outcome, local,
                    OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
            out.println();
            out.print(comparison.table());
            comparison.environment().forEach((key, value) -> out.println(key + ": " + value));
            comparison.writeJson(json);
            comparison.writeHtml(html);
            out.println(comparison.disagreements() + " of " + comparison.rows().size() + " rows disagree. Reports: "
                    + json + " (JSON), " + html + " (HTML)");
            return 0;
        }
        out.println();
        out.print(TextTable.render(report.scenarios()));
        report.environment().forEach((key, value) -> out.println(key + ": " + value));
        report.writeJson(json);
        report.writeHtml(html);
        out.println("Reports: " + json + " (JSON), " + html + " (HTML)");
        return report.scenarios().stream().allMatch(r -> r.outcome().verdict() == Verdict.AS_EXPECTED) ? 0 : 1;
    }
}
