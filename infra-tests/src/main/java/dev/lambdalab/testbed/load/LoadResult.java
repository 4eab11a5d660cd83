package dev.lambdalab.testbed.load;

import dev.lambdalab.testbed.load.RequestRecord.Kind;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Every request of a run and the numbers derived from them.
 *
 * @param records the requests, in the order they were sent
 * @param wallMillis how long the run took
 */
public record LoadResult(List<RequestRecord> records, long wallMillis) {

    public LoadResult {
        records = List.copyOf(records);
    }

    public int requests() {
        return records.size();
    }

    public long ok() {
        return count(Kind.OK);
    }

    public long throttled() {
        return count(Kind.THROTTLED);
    }

    public long badRequests() {
        return count(Kind.BAD_REQUEST);
    }

    public long errors() {
        return count(Kind.ERROR);
    }

    private long count(Kind kind) {
        return records.stream().filter(r -> r.kind() == kind).count();
    }

    /** Errors by their cause ({@code ROLE_CONNECTION_LIMIT}, {@code POOL_TIMEOUT}, {@code TIMEOUT}...). */
    public Map<String, Long> errorsByCause() {
        Map<String, Long> byCause = new TreeMap<>();
        records.stream().filter(r -> r.kind() == Kind.ERROR).forEach(r -> byCause.merge(r.cause(), 1L, Long::sum));
        return byCause;
    }

    /** Errors by cause with what lay behind a pool timeout: {@code POOL_TIMEOUT (ROLE_CONNECTION_LIMIT)}. */
    public Map<String, Long> errorsByDetail() {
        Map<String, Long> byDetail = new TreeMap<>();
        records.stream().filter(r -> r.kind() == Kind.ERROR).forEach(r -> byDetail.merge(r.detail(), 1L, Long::sum));
        return byDetail;
    }

    /** Requests whose handler waited for its pool's connection ({@link RequestRecord#waitedForPool()}). */
    public long poolWaits() {
        return records.stream().filter(RequestRecord::waitedForPool).count();
    }

    public long distinctEnvironments() {
        return records.stream().map(RequestRecord::environmentId).filter(Objects::nonNull).distinct().count();
    }

    public long distinctBackendPids() {
        return records.stream().filter(r -> r.backendPid() != 0).map(RequestRecord::backendPid).distinct().count();
    }

    /**
     * A latency percentile in milliseconds, over the requests that reached a function (throttled ones
     * are answered at once and left out), nearest-rank.
     */
    public double latencyMillis(double percentile) {
        long[] latencies = records.stream().filter(r -> r.kind() != Kind.THROTTLED)
                .mapToLong(RequestRecord::latencyMicros).sorted().toArray();
        if (latencies.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(percentile / 100.0 * latencies.length);
        return latencies[Math.max(0, Math.min(latencies.length - 1, rank - 1))] / 1000.0;
    }

    /** Successful requests per second of the whole run. */
    public double throughputPerSecond() {
        return wallMillis == 0 ? 0 : ok() * 1000.0 / wallMillis;
    }
}
