package dev.lambdalab.testbed.serve;

import dev.lambdalab.testbed.load.RequestRecord;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one route since the server started (or was reset), updated by every request. */
final class RouteMetrics {

    private final LongAdder requests = new LongAdder();
    private final LongAdder ok = new LongAdder();
    private final LongAdder throttled = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder badRequests = new LongAdder();
    private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errorsByCause = new ConcurrentHashMap<>();

    void record(RequestRecord record) {
        requests.increment();
        statuses.computeIfAbsent(record.status(), status -> new LongAdder()).increment();
        switch (record.kind()) {
            case OK -> ok.increment();
            case THROTTLED -> throttled.increment();
            case BAD_REQUEST -> badRequests.increment();
            case ERROR -> {
                errors.increment();
                errorsByCause.computeIfAbsent(record.detail(), cause -> new LongAdder()).increment();
            }
            default -> throw new IllegalStateException(record.kind().toString());
        }
    }

    long requests() {
        return requests.sum();
    }

    long ok() {
        return ok.sum();
    }

    long errors() {
        return errors.sum();
    }

    long throttled() {
        return throttled.sum();
    }

    long badRequests() {
        return badRequests.sum();
    }

    Map<String, Long> statuses() {
        Map<String, Long> result = new TreeMap<>();
        statuses.forEach((status, count) -> result.put(Integer.toString(status), count.sum()));
        return result;
    }

    Map<String, Long> errorsByCause() {
        Map<String, Long> result = new TreeMap<>();
        errorsByCause.forEach((cause, count) -> result.put(cause, count.sum()));
        return result;
    }
}
