package dev.lambdalab.testbed.bench;

import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.bench.ProxyBenchmark.Pgbench;
import dev.lambdalab.testbed.db.PostgresTools;
import dev.lambdalab.testbed.proxy.Proxy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * pgbench's select-only script ({@code -S}: one indexed SELECT per transaction) through the emulator and through
 * PgBouncer, where the proxy, not a sleep, sets the rate: the two are compared in alternating rounds, both proxies
 * running, rather than one after the other. On a shared 2-core machine the rate drifts by 10-20 % within a minute
 * (measured: the same proxy gave 21,000 and then 15,000 tps a minute apart), which a run of each in turn reads as a
 * difference between the proxies; runs side by side in time cancel it. The order alternates each round (emulator
 * first in even rounds, PgBouncer first in odd ones) so neither always runs on the other's heels, and a first run of
 * each is not counted: it warms the JVM's compiler for the emulator and the caches for both.
 *
 * <p>Each run also reads the CPU time of the proxy's process around it. Where pgbench, PostgreSQL and the proxy
 * share two cores, tps tells which proxy leaves more CPU to the others; CPU per transaction tells when a proxy
 * itself becomes the bottleneck: a single-threaded proxy cannot pass one core's worth, {@code 1 s / (CPU per
 * transaction)} transactions per second, whatever the machine.
 */
public final class SelectOnlyComparison {

    /**
     * One pgbench run through a proxy.
     *
     * @param pgbench what pgbench counted
     * @param proxyCpuMicros the CPU time (user and system) of the proxy's process during the run, in microseconds,
     *     or null where the test bed cannot read it (a container)
     */
    public record Run(Pgbench pgbench, Long proxyCpuMicros) {

        double tps() {
            return pgbench.tps();
        }
    }

    /** One round: a run through each proxy, back to back; {@code pgBouncer} is null when it is not installed. */
    public record Round(Run rdsProxy, Run pgBouncer) {

        /** The emulator's tps over PgBouncer's in this round. */
        double ratio() {
            return rdsProxy.tps() / pgBouncer.tps();
        }
    }

    /** The spread of the rounds' ratios. */
    public record RatioRange(double lowest, double highest) {
    }

    /**
     * The select-only rows of one query mode.
     *
     * @param mode pgbench's -M
     * @param rounds the rounds, at least one, all with PgBouncer's run or none
     */
    public record SelectOnly(QueryMode mode, List<Round> rounds) {

        /** Whether PgBouncer ran: else the emulator's rows stand alone, with no ratio. */
        boolean compared() {
            return rounds.get(0).pgBouncer() != null;
        }

        /** The emulator's mean tps over its rounds. */
        public double rdsProxyTps() {
            return rounds.stream().mapToDouble(r -> r.rdsProxy().tps()).average().orElse(0);
        }

        /** PgBouncer's mean tps over the rounds, or null without it. */
        public Double pgBouncerTps() {
            return compared() ? rounds.stream().mapToDouble(r -> r.pgBouncer().tps()).average().orElse(0) : null;
        }

        /** The emulator's mean tps over PgBouncer's (equal round lengths: the ratio of transactions), or null. */
        public Double ratio() {
            return compared() ? rdsProxyTps() / pgBouncerTps() : null;
        }

        /** The lowest and highest round's ratio, or null without PgBouncer. */
        public RatioRange roundRatios() {
            if (!compared()) {
                return null;
            }
            double lowest = Double.MAX_VALUE;
            double highest = 0;
            for (Round round : rounds) {
                lowest = Math.min(lowest, round.ratio());
                highest = Math.max(highest, round.ratio());
            }
            return new RatioRange(lowest, highest);
        }

        /** The emulator's CPU per transaction over its runs, in microseconds, or null where unknown. */
        public Double rdsProxyCpuMicros() {
            return cpuMicrosPerTransaction(rounds.stream().map(Round::rdsProxy).toList());
        }

        /** PgBouncer's CPU per transaction over the rounds, in microseconds, or null without it or where unknown. */
        public Double pgBouncerCpuMicros() {
            return compared() ? cpuMicrosPerTransaction(rounds.stream().map(Round::pgBouncer).toList()) : null;
        }

        private static Double cpuMicrosPerTransaction(List<Run> runs) {
            long transactions = 0;
            long micros = 0;
            for (Run run : runs) {
                if (run.proxyCpuMicros() == null) {
                    return null;
                }
                transactions += run.pgbench().transactions();
                micros += run.proxyCpuMicros();
            }
            return transactions == 0 ? null : (double) micros / transactions;
        }
    }

    private SelectOnlyComparison() {
    }

    /**
     * {@code rounds} rounds of {@code seconds} each with {@code clients} clients and 2 pgbench threads, plain TCP
     * (TLS would measure the cipher, and the test bed's PgBouncer has none); empty when pgbench is not installed.
     *
     * @param pgBouncer PgBouncer, or null when it is not installed (the emulator's runs alone)
     */
    public static Optional<SelectOnly> run(TestBed testBed, Proxy emulator, Proxy pgBouncer, QueryMode mode,
            int clients, int seconds, int rounds) throws IOException, InterruptedException {
        Optional<Path> binary = PostgresTools.find("pgbench");
        if (binary.isEmpty()) {
            return Optional.empty();
        }
        List<String> script = List.of("-S", "-M", mode.flag());
        ProxyBenchmark.runPgbench(testBed, binary.get(), emulator, script, clients, seconds);
        if (pgBouncer != null) {
            ProxyBenchmark.runPgbench(testBed, binary.get(), pgBouncer, script, clients, seconds);
        }
        List<Round> done = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            boolean emulatorFirst = i % 2 == 0;
            Run bouncerRun = pgBouncer != null && !emulatorFirst
                    ? measured(testBed, binary.get(), pgBouncer, script, clients, seconds) : null;
            Run emulatorRun = measured(testBed, binary.get(), emulator, script, clients, seconds);
            if (pgBouncer != null && emulatorFirst) {
                bouncerRun = measured(testBed, binary.get(), pgBouncer, script, clients, seconds);
            }
            done.add(new Round(emulatorRun, bouncerRun));
        }
        return Optional.of(new SelectOnly(mode, List.copyOf(done)));
    }

    private static Run measured(TestBed testBed, Path binary, Proxy proxy, List<String> script, int clients,
            int seconds) throws IOException, InterruptedException {
        Optional<Duration> before = cpu(proxy);
        Pgbench pgbench = ProxyBenchmark.runPgbench(testBed, binary, proxy, script, clients, seconds);
        Optional<Duration> after = cpu(proxy);
        return new Run(pgbench, before.isPresent() && after.isPresent()
                ? after.get().minus(before.get()).toNanos() / 1000 : null);
    }

    /** The process's CPU time so far (Linux: utime + stime from /proc, in clock ticks of 10 ms). */
    private static Optional<Duration> cpu(Proxy proxy) {
        return proxy.process().flatMap(process -> process.info().totalCpuDuration());
    }
}
