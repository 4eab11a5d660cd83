package dev.lambdalab.testbed.compare;

/**
 * What {@code testbed aws --compare} sets side by side for each route, the tolerance within which AWS and the local
 * prediction agree, and the likely reason when they do not, taken from docs/proxy.md's fidelity table and what the
 * emulators leave out. Shares are of the route's requests, in percentage points, because the two runs answer
 * different numbers of requests in the same time.
 */
public enum Measure {

    ERROR_SHARE("errors, % of requests", Tolerance.points(10),
            "RDS Proxy's connection-rate limit (number unpublished) is not modelled; API Gateway answers a throttled"
                    + " invocation with a 5xx, counted here as an error, where the emulator's callers see 429"),
    THROTTLE_SHARE("throttles, % of requests", Tolerance.points(10),
            "AWS applies the account's concurrency quota and burst rate, which the local run does not know (a quota"
                    + " of 10 throttles most of -c 100); on AWS this is CloudWatch's Throttles"),
    PEAK_DATABASE_CONNECTIONS("peak database connections", Tolerance.counts(2, 0.25),
            "CloudWatch's DatabaseConnections is a one-minute maximum and counts RDS's own monitoring sessions; the"
                    + " emulator keeps no connections back for monitoring and splits no quota across proxy nodes"),
    PEAK_PROXY_CLIENTS("peak proxy client connections", Tolerance.counts(2, 0.25),
            "Lambda reuses and reclaims environments on its own schedule (each holds one client connection);"
                    + " RDS Proxy publishes per node, read with Sum"),
    PINNED("pinned database connections", Tolerance.counts(1, 0),
            "the SET LOCAL rule is uncertain (docs/proxy.md); the emulator's other pin reasons follow AWS's list"),
    P50_MS("p50 latency, ms", Tolerance.ratio(2),
            "network hops (API Gateway, VPC) and cold starts differ; the local run shares 2 CPUs with PostgreSQL"),
    P99_MS("p99 latency, ms", Tolerance.ratio(3),
            "cold starts dominate the tail: Lambda's VPC and snapshot restore against local JVM starts");

    private final String label;
    private final Tolerance tolerance;
    private final String likelyReason;

    Measure(String label, Tolerance tolerance, String likelyReason) {
        this.label = label;
        this.tolerance = tolerance;
        this.likelyReason = likelyReason;
    }

    public String label() {
        return label;
    }

    public Tolerance tolerance() {
        return tolerance;
    }

    /** Why AWS and the prediction may differ here, for a row that disagrees. */
    public String likelyReason() {
        return likelyReason;
    }

    /**
     * When two values agree.
     *
     * @param absolute the difference always allowed (points, or connections)
     * @param relative the difference allowed as a share of the larger value
     * @param ratio for latencies: the larger over the smaller at most this; 0 when unused
     * @param unit what {@code absolute} counts, for the report
     */
    public record Tolerance(double absolute, double relative, double ratio, String unit) {

        static Tolerance points(double points) {
            return new Tolerance(points, 0, 0, "points");
        }

        static Tolerance counts(double absolute, double relative) {
            return new Tolerance(absolute, relative, 0, "");
        }

        static Tolerance ratio(double ratio) {
            return new Tolerance(0, 0, ratio, "");
        }

        /** Whether AWS's value and the prediction agree. */
        public boolean agrees(double aws, double local) {
            if (ratio > 0) {
                double low = Math.min(aws, local);
                double high = Math.max(aws, local);
                return low <= 0 ? high <= 0 : high / low <= ratio;
            }
            double allowed = Math.max(absolute, relative * Math.max(Math.abs(aws), Math.abs(local)));
            return Math.abs(aws - local) <= allowed;
        }

        /** As the report states it. */
        public String describe() {
            if (ratio > 0) {
                return "within " + format(ratio) + " x";
            }
            String amount = format(absolute) + (unit.isEmpty() ? "" : " " + unit);
            return relative > 0 ? "within " + amount + " or " + Math.round(relative * 100) + " %" : "within " + amount;
        }

        private static String format(double value) {
            return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
        }
    }
}
