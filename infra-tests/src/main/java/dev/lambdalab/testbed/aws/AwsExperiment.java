package dev.lambdalab.testbed.aws;

import dev.lambdalab.testbed.ExecutionModel;
import dev.lambdalab.testbed.Target;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.load.HttpSender;
import dev.lambdalab.testbed.load.Load;
import dev.lambdalab.testbed.load.LoadDriver;
import dev.lambdalab.testbed.load.LoadResult;
import dev.lambdalab.testbed.report.Report;
import dev.lambdalab.testbed.scenario.Scenario;
import dev.lambdalab.testbed.scenario.ScenarioResult;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;

/**
 * The reproduction against a deployed stack: drive the same load at both routes of its HTTP API, one
 * after the other, then read CloudWatch for each route's window, and report the same table, JSON and
 * HTML as {@code testbed reproduce}.
 */
public final class AwsExperiment {

    /**
     * What to run.
     *
     * @param region the region, or {@code null} for the SDK's default chain
     * @param pause between the two routes, so their CloudWatch minutes do not overlap
     * @param metricsWait after the load, before reading CloudWatch (it publishes with a delay)
     */
    public record Plan(String stack, String region, int concurrency, Duration perRoute, int holdMillis, Duration pause,
            Duration metricsWait) {
        public Plan {
            Objects.requireNonNull(stack, "stack");
            Objects.requireNonNull(perRoute, "perRoute");
            Objects.requireNonNull(pause, "pause");
            Objects.requireNonNull(metricsWait, "metricsWait");
        }
    }

    /**
     * A run's report, with what CloudWatch gave for each route's window (ids of {@link AwsMetrics#queries}) and the
     * stack it ran against.
     */
    public record Outcome(Report report, StackOutputs stack, Map<String, Double> brokenMetrics,
            Map<String, Double> fixedMetrics) {
    }

    private AwsExperiment() {
    }

    /** What a run would call, with which parameters; calls nothing. */
    public static List<String> dryRun(Plan plan) {
        String region = plan.region() != null ? plan.region() : "from the SDK's default chain (AWS_REGION, profile)";
        StackOutputs placeholders = new StackOutputs(plan.stack(), "<BrokenUrl>", "<FixedUrl>", "<DatabaseInstanceId>",
                "<ProxyName>", "<BrokenFunctionName>", "<FixedFunctionName>", 0, 0, Map.of());
        List<String> lines = new ArrayList<>();
        lines.add("testbed aws --dry-run: what a run would do; nothing is called");
        lines.add("  credentials: the SDK's default chain; region: " + region);
        lines.add("  1. cloudformation:DescribeStacks StackName=" + plan.stack() + " -> outputs "
                + String.join(", ", StackOutputs.REQUIRED) + "; its parameters (MaxConnections, MaxConnectionsPercent, ...)");
        lines.add("  2. HTTP GET <BrokenUrl>?holdMs=" + plan.holdMillis() + " from " + plan.concurrency() + " callers for "
                + plan.perRoute().toSeconds() + " s");
        lines.add("  3. pause " + plan.pause().toSeconds() + " s, so the routes fall in different CloudWatch minutes");
        lines.add("  4. HTTP GET <FixedUrl>?holdMs=" + plan.holdMillis() + " from " + plan.concurrency() + " callers for "
                + plan.perRoute().toSeconds() + " s");
        lines.add("  5. wait " + plan.metricsWait().toSeconds() + " s for CloudWatch to publish the datapoints");
        lines.add("  6. cloudwatch:GetMetricData, period " + AwsMetrics.PERIOD_SECONDS
                + " s, for each route's window (whole minutes):");
        for (AwsMetrics.Query query : AwsMetrics.queries(placeholders)) {
            lines.add("       " + query);
        }
        return lines;
    }

    /**
     * Runs the experiment.
     *
     * @throws AwsExperimentException with a one-line reason when AWS cannot be used
     */
    public static Outcome run(Plan plan, Consumer<String> progress) throws InterruptedException {
        Region region;
        try {
            region = plan.region() != null ? Region.of(plan.region())
                    : software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain.builder().build().getRegion();
        } catch (SdkException e) {
            throw AwsExperimentException.from(e, plan.stack(), String.valueOf(plan.region()));
        }
        try (CloudFormationClient cloudFormation = CloudFormationClient.builder().region(region)
                .httpClient(UrlConnectionHttpClient.create()).build();
                CloudWatchClient cloudWatch = CloudWatchClient.builder().region(region)
                        .httpClient(UrlConnectionHttpClient.create()).build()) {
            progress.accept("reading stack " + plan.stack() + " in " + region.id());
            StackOutputs stack = StackOutputs.read(cloudFormation, plan.stack(), region.id());
            List<AwsMetrics.Query> queries = AwsMetrics.queries(stack);

            Window broken = drive("broken", stack.brokenUrl(), plan, progress);
            progress.accept("pausing " + plan.pause().toSeconds() + " s between the routes");
            Thread.sleep(plan.pause().toMillis());
            Window fixed = drive("fixed", stack.fixedUrl(), plan, progress);
            progress.accept("waiting " + plan.metricsWait().toSeconds() + " s for CloudWatch");
            Thread.sleep(plan.metricsWait().toMillis());

            Map<String, Double> brokenMetrics = metrics(cloudWatch, queries, broken);
            Map<String, Double> fixedMetrics = metrics(cloudWatch, queries, fixed);
            List<ScenarioResult> results = List.of(
                    result("broken-aws", "The broken function on AWS: a pool per invocation straight to the instance.",
                            Variant.BROKEN, Target.DIRECT, broken, plan, stack.maxConnections(), null,
                            brokenMetrics.get("dbConnections"), null, brokenMetrics.get("brokenConcurrency"),
                            Scenario.Expectation.FAILS,
                            null),
                    result("fixed-aws", "The fixed function on AWS: a static pool of 1 behind RDS Proxy.", Variant.FIXED,
                            Target.PROXY,
                            fixed, plan, stack.maxConnections(), stack.proxyDatabaseConnections(),
                            fixedMetrics.get("proxyDbConnections"), fixedMetrics.get("proxyClients"),
                            fixedMetrics.get("fixedConcurrency"), Scenario.Expectation.HOLDS,
                            fixedMetrics.get("proxyPinned")));
            Map<String, String> environment = new LinkedHashMap<>();
            environment.put("stack", stack.stackName() + " in " + region.id());
            environment.put("database", "max_connections " + stack.maxConnections() + "; RDS Proxy MaxConnectionsPercent "
                    + stack.maxConnectionsPercent() + " -> " + stack.proxyDatabaseConnections() + " database connections");
            environment.put("CloudWatch broken", describe(brokenMetrics, "broken"));
            environment.put("CloudWatch fixed", describe(fixedMetrics, "fixed"));
            environment.put("note", "peaks are CloudWatch one-minute maxima; errors and 429s are what the callers got");
            Report report = new Report(1, "testbed aws", OffsetDateTime.now(ZoneOffset.UTC)
                    .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), environment, results);
            return new Outcome(report, stack, brokenMetrics, fixedMetrics);
        } catch (SdkException e) {
            throw AwsExperimentException.from(e, plan.stack(), region.id());
        }
    }

    /** A route's load and when it ran. */
    private record Window(LoadResult load, Instant start, Instant end) {
    }

    private static Window drive(String route, String url, Plan plan, Consumer<String> progress)
            throws InterruptedException {
        progress.accept("GET " + url + "?holdMs=" + plan.holdMillis() + " from " + plan.concurrency() + " callers for "
                + plan.perRoute().toSeconds() + " s");
        Instant start = Instant.now();
        LoadResult load = new LoadDriver(new HttpSender(url, Duration.ofSeconds(35)))
                .run(Load.forDuration(plan.concurrency(), plan.perRoute(), plan.holdMillis()));
        Instant end = Instant.now();
        progress.accept(String.format(Locale.ROOT, "%s: %d requests, %d ok, %d errors, %d throttled", route,
                load.requests(), load.ok(), load.errors(), load.throttled()));
        return new Window(load, start, end);
    }

    private static Map<String, Double> metrics(CloudWatchClient cloudWatch, List<AwsMetrics.Query> queries,
            Window window) {
        List<MetricDataResult> results = new ArrayList<>();
        cloudWatch.getMetricDataPaginator(AwsMetrics.request(queries, window.start(), window.end()))
                .forEach(page -> results.addAll(page.metricDataResults()));
        return AwsMetrics.values(queries, results);
    }

    private static String describe(Map<String, Double> metrics, String function) {
        return String.format(Locale.ROOT, "Errors %s, Throttles %s, ConcurrentExecutions max %s; instance"
                        + " DatabaseConnections max %s; proxy ClientConnections max %s, DatabaseConnections max %s,"
                        + " DatabaseConnectionsCurrentlySessionPinned max %s",
                number(metrics.get(function + "Errors")), number(metrics.get(function + "Throttles")),
                number(metrics.get(function + "Concurrency")), number(metrics.get("dbConnections")),
                number(metrics.get("proxyClients")), number(metrics.get("proxyDbConnections")),
                number(metrics.get("proxyPinned")));
    }

    private static String number(Double value) {
        return value == null ? "no datapoint" : String.format(Locale.ROOT, "%.0f", value);
    }

    private static ScenarioResult result(String name, String description, Variant variant, Target target,
            Window window, Plan plan, int limit, Integer proxyConnections, Double peakDb, Double peakClients,
            Double concurrency, Scenario.Expectation expected, Double pinned) {
        LoadResult load = window.load();
        boolean proxied = target == Target.PROXY;
        ScenarioResult.Setup setup = new ScenarioResult.Setup(variant, target, ExecutionModel.CLASSIC, "lambda",
                proxied ? "rds-proxy (AWS)" : null, plan.concurrency(), load.requests(), plan.holdMillis(), limit, null,
                proxyConnections);
        ScenarioResult.Connections connections = new ScenarioResult.Connections(
                peakDb == null ? 0 : (int) Math.round(peakDb),
                peakClients == null ? (proxied ? 0 : null) : (int) Math.round(peakClients), 0,
                pinned == null ? null : (int) Math.round(pinned), Map.of());
        ScenarioResult.Environments environments = new ScenarioResult.Environments(
                concurrency != null ? Math.round(concurrency) : load.distinctEnvironments(),
                load.distinctEnvironments(), load.errorsByCause().getOrDefault("TIMEOUT", 0L), load.distinctBackendPids(), 0,
                -1);
        return new ScenarioResult(name, description, setup, ScenarioResult.Answers.of(load), connections,
                environments, ScenarioResult.Outcome.of(expected, load.errors()), List.of());
    }
}
