package dev.lambdalab.testbed.compare;

import dev.lambdalab.testbed.aws.AwsExperiment;
import dev.lambdalab.testbed.scenario.ScenarioResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * AWS against the local prediction, measure by measure, for one route: what {@code testbed aws --compare} prints and
 * writes. The numbers come from the two runs' results as the reports carry them; AWS's throttles from CloudWatch's
 * {@code Throttles}, since API Gateway does not pass Lambda's 429 on.
 */
public final class Comparison {

    /** Error causes below this share of requests on both sides get no row of their own. */
    static final double CAUSE_ROW_MIN_SHARE = 1.0;

    private Comparison() {
    }

    /** The whole comparison: both routes' rows, both runs' results, and where each number came from. */
    public static ComparisonReport report(AwsExperiment.Outcome outcome, LocalPrediction.Routes local,
            String generatedAt) {
        ScenarioResult brokenAws = outcome.report().scenarios().get(0);
        ScenarioResult fixedAws = outcome.report().scenarios().get(1);
        List<ComparisonRow> rows = new ArrayList<>(of("broken", brokenAws, outcome.brokenMetrics().get("brokenThrottles"),
                local.broken(), false));
        rows.addAll(of("fixed", fixedAws, outcome.fixedMetrics().get("fixedThrottles"), local.fixed(), true));
        Map<String, String> environment = new LinkedHashMap<>(outcome.report().environment());
        environment.put("local", "the same callers, duration and hold on this machine: template.yaml with the stack's"
                + " parameters, embedded PostgreSQL with role limit " + LocalPrediction.roleLimit(outcome.stack())
                + " (max_connections " + outcome.stack().maxConnections() + " - "
                + LocalPrediction.SUPERUSER_RESERVED + " reserved), the Lambda and RDS Proxy emulators");
        environment.put("statistics", "instance DatabaseConnections: Maximum; the proxy's ClientConnections,"
                + " DatabaseConnections and DatabaseConnectionsCurrentlySessionPinned: Sum across proxy nodes (AWS"
                + " publishes them per node), each minute's sum at its peak; Lambda Errors and Throttles: Sum");
        return new ComparisonReport(1, "testbed aws --compare", generatedAt, environment,
                List.of(brokenAws, fixedAws), List.of(local.broken(), local.fixed()), rows);
    }

    /**
     * The rows of one route.
     *
     * @param route {@code broken} or {@code fixed}
     * @param aws the AWS run's result for the route
     * @param awsThrottles CloudWatch's Throttles for the route's function (Sum), or {@code null} without a datapoint
     * @param local the local prediction's result for the route
     * @param behindProxy whether the route goes through the proxy (its proxy measures get rows)
     */
    public static List<ComparisonRow> of(String route, ScenarioResult aws, Double awsThrottles, ScenarioResult local,
            boolean behindProxy) {
        List<ComparisonRow> rows = new ArrayList<>();
        double awsTotal = total(aws);
        double localTotal = total(local);
        rows.add(ComparisonRow.of(route, Measure.ERROR_SHARE, "", share(aws.answers().errorCount(), awsTotal),
                share(local.answers().errorCount(), localTotal)));
        TreeSet<String> causes = new TreeSet<>(aws.answers().errors().keySet());
        causes.addAll(local.answers().errors().keySet());
        for (String cause : causes) {
            double awsShare = share(count(aws.answers().errors(), cause), awsTotal);
            double localShare = share(count(local.answers().errors(), cause), localTotal);
            if (Math.max(awsShare, localShare) >= CAUSE_ROW_MIN_SHARE) {
                rows.add(ComparisonRow.of(route, Measure.ERROR_SHARE, cause, awsShare, localShare));
            }
        }
        rows.add(ComparisonRow.of(route, Measure.THROTTLE_SHARE, "", awsThrottles == null ? null
                : share(awsThrottles, awsTotal), share(local.answers().throttled(), localTotal)));
        rows.add(ComparisonRow.of(route, Measure.PEAK_DATABASE_CONNECTIONS, "",
                (double) aws.connections().peakDbConnections(), local.connections().peakDbConnections()));
        if (behindProxy) {
            rows.add(ComparisonRow.of(route, Measure.PEAK_PROXY_CLIENTS, "",
                    value(aws.connections().peakClientConnections()), orZero(local.connections().peakClientConnections())));
            rows.add(ComparisonRow.of(route, Measure.PINNED, "", value(aws.connections().pinnedSessions()),
                    orZero(local.connections().pinnedSessions())));
        }
        rows.add(ComparisonRow.of(route, Measure.P50_MS, "", aws.answers().latencyMs().p50(),
                local.answers().latencyMs().p50()));
        rows.add(ComparisonRow.of(route, Measure.P99_MS, "", aws.answers().latencyMs().p99(),
                local.answers().latencyMs().p99()));
        return rows;
    }

    /** Requests the callers sent: answered, refused with an error, or throttled. */
    static double total(ScenarioResult result) {
        return result.answers().ok() + result.answers().errorCount() + result.answers().throttled();
    }

    private static double share(double part, double total) {
        return total == 0 ? 0 : Math.round(part * 1000 / total) / 10.0;
    }

    private static long count(Map<String, Long> errors, String cause) {
        return errors.getOrDefault(cause, 0L);
    }

    private static Double value(Integer value) {
        return value == null ? null : value.doubleValue();
    }

    private static double orZero(Integer value) {
        return value == null ? 0 : value;
    }
}
