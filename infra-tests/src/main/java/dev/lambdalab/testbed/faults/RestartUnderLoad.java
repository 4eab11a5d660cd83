package dev.lambdalab.testbed.faults;

import dev.lambdalab.db.FailureCause;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.load.Load;
import dev.lambdalab.testbed.load.LoadDriver;
import dev.lambdalab.testbed.load.LoadResult;
import dev.lambdalab.testbed.load.RequestRecord;
import dev.lambdalab.testbed.proxy.Proxy;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * The proxy or PostgreSQL goes away for {@value #DOWNTIME_S} s and comes back while {@value #CALLERS} callers keep
 * sending requests. Only the requests in flight may fail, each with a connection cause (a 503, never a 500 or
 * a Lambda timeout), and every environment must answer afterwards without a cold start: the pool replaced its
 * broken connection instead of the environment being thrown away.
 */
final class RestartUnderLoad implements FaultExperiment {

    /** Callers sending requests throughout. */
    static final int CALLERS = 6;
    /** How long the proxy or the database stays down. */
    static final int DOWNTIME_S = 2;
    /** Errors must end within this long after the restarted component is back. */
    static final long RECOVERY_LIMIT_MILLIS = 5_000;
    /** The causes a request in flight may fail with while a component restarts. */
    static final Set<FailureCause> CONNECTION_CAUSES = EnumSet.of(FailureCause.CONNECTION_LOST,
            FailureCause.CONNECTION_REFUSED, FailureCause.POOL_TIMEOUT, FailureCause.PROXY_WAIT_TIMEOUT,
            FailureCause.CONNECT_TIMEOUT);

    private static final Duration LOAD_TIME = Duration.ofSeconds(9);
    private static final Duration FAULT_AT = Duration.ofSeconds(2);

    /** What restarts, and whether the function reaches the database through the proxy. */
    enum Target { PROXY, DATABASE_BEHIND_PROXY, DATABASE_DIRECT }

    private final Target target;

    RestartUnderLoad(Target target) {
        this.target = target;
    }

    @Override
    public FaultResult run(Fault fault, FaultProbe probe) throws InterruptedException {
        TestBed testBed = probe.testBed();
        Proxy proxy = target == Target.DATABASE_DIRECT ? null : testBed.startProxy(testBed.proxyDefaults());
        try (EmulatedFunction fixed = probe.fixed(testBed.environment(proxy, Map.of()))) {
            LoadDriver driver = new LoadDriver(fixed::invoke, Variant.FIXED.path(), probe::keepBody);
            ExecutorService background = Executors.newSingleThreadExecutor();
            long t0 = System.nanoTime();
            // One time line for the requests and the fault: the driver's own start, a thread later, would put a request
            // that failed as the restart began a few milliseconds before it.
            Future<LoadResult> load = background.submit(() -> driver.run(Load.forDuration(CALLERS, LOAD_TIME, 50), t0));
            FaultProbe.sleep(FAULT_AT);
            long faultStart = FaultProbe.millisSince(t0);
            Duration downtime = Duration.ofSeconds(DOWNTIME_S);
            if (target == Target.PROXY) {
                proxy.restart(downtime);
            } else {
                testBed.server().restart(downtime);
            }
            long faultEnd = FaultProbe.millisSince(t0);
            probe.progress("  restarted: down from " + faultStart + " ms to " + faultEnd + " ms");
            LoadResult result = FaultProbe.get(load);
            background.shutdown();
            return measure(fault, probe, fixed, result.records(), faultStart, faultEnd);
        } finally {
            if (proxy != null) {
                proxy.close();
            }
        }
    }

    private FaultResult measure(Fault fault, FaultProbe probe, EmulatedFunction fixed, List<RequestRecord> records,
            long faultStart, long faultEnd) throws InterruptedException {
        List<RequestRecord> errors = records.stream().filter(r -> r.kind() == RequestRecord.Kind.ERROR).toList();
        // Times are whole milliseconds, each rounded down: 1 ms of slack.
        long errorsBefore = errors.stream().filter(r -> end(r) < faultStart - 1).count();
        long lastErrorEnd = errors.stream().mapToLong(RestartUnderLoad::end).max().orElse(faultEnd);
        long errorsEndAfterReturn = Math.max(0, lastErrorEnd - faultEnd);
        long firstOkAfterReturn = records.stream()
                .filter(r -> r.kind() == RequestRecord.Kind.OK && r.startMillis() >= faultEnd)
                .mapToLong(r -> end(r) - faultEnd).min().orElse(-1);
        long unnamed = errors.stream().filter(r -> !isConnectionCause(r.cause())).count();
        long slowest = records.stream().mapToLong(r -> r.latencyMicros() / 1000).max().orElse(0);
        List<Call> sweep = probe.sweep(fixed);
        Map<String, Long> answers = new TreeMap<>();
        records.forEach(r -> answers.merge(key(r), 1L, Long::sum));
        long outage = faultEnd - faultStart;

        String errorsText = errors.isEmpty() ? "0 errors" : errors.size() + " errors ("
                + answers.entrySet().stream().filter(e -> !e.getKey().equals("200"))
                        .map(e -> e.getValue() + " × " + e.getKey()).collect(Collectors.joining(", ")) + ")";
        String recovery = (errors.isEmpty() ? "no error; " : errorsEndAfterReturn == 0
                ? "no error after the return (only requests in flight failed); "
                : "errors ended " + errorsEndAfterReturn + " ms after the return; ")
                + "first 200 " + firstOkAfterReturn + " ms after it; all " + sweep.size() + " environments healthy";
        return probe.result(fault, fixed)
                .callerSaw(errorsText + " of " + records.size() + " requests during a " + outage
                        + " ms outage; slowest answer " + slowest + " ms")
                .recovery(recovery)
                .answers(answers)
                .measure("requests", records.size())
                .measure("errors", errors.size())
                .measure("outageMillis", outage)
                .measure("errorsEndAfterReturnMillis", errorsEndAfterReturn)
                .measure("firstOkAfterReturnMillis", firstOkAfterReturn)
                .measure("slowestAnswerMillis", slowest)
                .measure("environments", sweep.size())
                .check("no error before the restart", errorsBefore == 0, errorsBefore + " errors")
                .check("errors end within " + RECOVERY_LIMIT_MILLIS + " ms of the return",
                        errorsEndAfterReturn <= RECOVERY_LIMIT_MILLIS, errorsEndAfterReturn + " ms")
                .check("a request sent after the return got 200", firstOkAfterReturn >= 0,
                        firstOkAfterReturn + " ms after the return")
                .check("every error names a connection cause (no 500, no Lambda timeout)", unnamed == 0,
                        unnamed + " others: " + answers)
                .check("no answer took longer than the function timeout (" + fixed.timeout().toMillis() + " ms)",
                        slowest < fixed.timeout().toMillis(), slowest + " ms")
                .check("afterwards every environment answers 200 without a cold start",
                        !sweep.isEmpty() && sweep.stream().allMatch(c -> c.ok() && !c.coldStart()),
                        sweep.size() + " environments: " + Call.answers(sweep))
                .build();
    }

    private static boolean isConnectionCause(String cause) {
        return CONNECTION_CAUSES.stream().anyMatch(c -> c.name().equals(cause));
    }

    private static String key(RequestRecord record) {
        return record.kind() == RequestRecord.Kind.OK ? "200" : record.status() + " " + record.detail();
    }

    private static long end(RequestRecord record) {
        return record.startMillis() + record.latencyMicros() / 1000;
    }
}
