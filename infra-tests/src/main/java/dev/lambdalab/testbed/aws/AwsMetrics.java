package dev.lambdalab.testbed.aws;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.Metric;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;
import software.amazon.awssdk.services.cloudwatch.model.MetricStat;

/**
 * The CloudWatch numbers of a run: the instance's DatabaseConnections, the proxy's ClientConnections and
 * DatabaseConnections, and each function's Errors, Throttles and ConcurrentExecutions, at one-minute
 * resolution (the finest these metrics have).
 */
public final class AwsMetrics {

    /** One-minute periods: RDS and Lambda publish these metrics per minute. */
    public static final int PERIOD_SECONDS = 60;

    /** How a metric's datapoints over the window become one number. */
    public enum Aggregate { MAX, SUM }

    /**
     * One metric.
     *
     * @param id the query id, also the key of {@link #values}
     */
    public record Query(String id, String namespace, String metric, String dimension, String dimensionValue,
            String statistic, Aggregate aggregate) {

        MetricDataQuery toSdk() {
            return MetricDataQuery.builder().id(id).returnData(true)
                    .metricStat(MetricStat.builder().period(PERIOD_SECONDS).stat(statistic)
                            .metric(Metric.builder().namespace(namespace).metricName(metric)
                                    .dimensions(Dimension.builder().name(dimension).value(dimensionValue).build())
                                    .build())
                            .build())
                    .build();
        }

        /** As the dry run prints it. */
        @Override
        public String toString() {
            return namespace + " " + metric + " " + dimension + "=" + dimensionValue + " " + statistic;
        }
    }

    private AwsMetrics() {
    }

    /**
     * The proxy's gauges per minute: "RDS publishes these metrics for each underlying Amazon EC2 instance associated with
     * a proxy ... Use CloudWatch statistics to aggregate the values for a proxy across all the associated instances"
     * ("Monitoring RDS Proxy metrics with Amazon CloudWatch"). The Sum of a minute adds the nodes' values; Maximum
     * would give one node's, and under-count a proxy that runs on several.
     */
    static final String PROXY_GAUGE_STATISTIC = "Sum";

    /** The queries for a stack; ids: dbConnections, proxyClients, proxyDbConnections, proxyPinned, and per function. */
    public static List<Query> queries(StackOutputs stack) {
        return List.of(
                new Query("dbConnections", "AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier",
                        stack.databaseInstanceId(), "Maximum", Aggregate.MAX),
                new Query("proxyClients", "AWS/RDS", "ClientConnections", "ProxyName", stack.proxyName(),
                        PROXY_GAUGE_STATISTIC, Aggregate.MAX),
                new Query("proxyDbConnections", "AWS/RDS", "DatabaseConnections", "ProxyName", stack.proxyName(),
                        PROXY_GAUGE_STATISTIC, Aggregate.MAX),
                // The column the emulator's reports share: sessions that pinned a database connection.
                new Query("proxyPinned", "AWS/RDS", "DatabaseConnectionsCurrentlySessionPinned", "ProxyName",
                        stack.proxyName(), PROXY_GAUGE_STATISTIC, Aggregate.MAX),
                new Query("brokenErrors", "AWS/Lambda", "Errors", "FunctionName", stack.brokenFunctionName(), "Sum",
                        Aggregate.SUM),
                new Query("brokenThrottles", "AWS/Lambda", "Throttles", "FunctionName", stack.brokenFunctionName(), "Sum",
                        Aggregate.SUM),
                new Query("brokenConcurrency", "AWS/Lambda", "ConcurrentExecutions", "FunctionName",
                        stack.brokenFunctionName(), "Maximum", Aggregate.MAX),
                new Query("fixedErrors", "AWS/Lambda", "Errors", "FunctionName", stack.fixedFunctionName(), "Sum",
                        Aggregate.SUM),
                new Query("fixedThrottles", "AWS/Lambda", "Throttles", "FunctionName", stack.fixedFunctionName(), "Sum",
                        Aggregate.SUM),
                new Query("fixedConcurrency", "AWS/Lambda", "ConcurrentExecutions", "FunctionName",
                        stack.fixedFunctionName(), "Maximum", Aggregate.MAX));
    }

    /** The request for a window, widened to whole minutes so the partial minutes at its ends count. */
    public static GetMetricDataRequest request(List<Query> queries, Instant start, Instant end) {
        long startSeconds = start.getEpochSecond() / PERIOD_SECONDS * PERIOD_SECONDS;
        long endSeconds = (end.getEpochSecond() / PERIOD_SECONDS + 1) * PERIOD_SECONDS;
        return GetMetricDataRequest.builder()
                .startTime(Instant.ofEpochSecond(startSeconds))
                .endTime(Instant.ofEpochSecond(endSeconds))
                .metricDataQueries(queries.stream().map(Query::toSdk).toList())
                .build();
    }

    /**
     * Each query's number over the window: the largest datapoint (MAX) or their total (SUM). A metric with no
     * datapoint (nothing happened, or CloudWatch has not published it yet) is absent.
     */
    public static Map<String, Double> values(List<Query> queries, List<MetricDataResult> results) {
        Map<String, Aggregate> aggregates = new LinkedHashMap<>();
        queries.forEach(query -> aggregates.put(query.id(), query.aggregate()));
        Map<String, Double> values = new LinkedHashMap<>();
        for (MetricDataResult result : results) {
            List<Double> points = result.values().stream().filter(value -> !value.isNaN()).toList();
            if (points.isEmpty()) {
                continue;
            }
            double value = aggregates.getOrDefault(result.id(), Aggregate.MAX) == Aggregate.SUM
                    ? points.stream().mapToDouble(Double::doubleValue).sum()
                    : points.stream().mapToDouble(Double::doubleValue).max().orElse(0);
            values.merge(result.id(), value, (a, b) -> aggregates.get(result.id()) == Aggregate.SUM ? a + b : Math.max(a, b));
        }
        return values;
    }
}
