package dev.lambdalab.testbed.cli;

import dev.lambdalab.testbed.bench.ProxyBenchmark;
import dev.lambdalab.testbed.bench.ProxyBenchmark.IdleClients;
import dev.lambdalab.testbed.bench.ProxyBenchmark.Latency;
import dev.lambdalab.testbed.bench.ProxyBenchmark.Pgbench;
import dev.lambdalab.testbed.bench.QueryMode;
import dev.lambdalab.testbed.bench.SelectOnlyComparison;
import dev.lambdalab.testbed.bench.SelectOnlyComparison.SelectOnly;
import dev.lambdalab.testbed.proxy.Proxy;

import dev.lambdalab.testbed.proxy.ProxyKind;
import dev.lambdalab.testbed.TestBed;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code testbed bench proxy}: the RDS Proxy emulator measured against PgBouncer and against no proxy, in one run. */
@Command(name = "proxy", mixinStandardHelpOptions = true,
        description = {"The RDS Proxy emulator against PgBouncer and no proxy, in one run: the latency each adds to a"
                + " SELECT 1 round trip, pgbench's throughput through each with the same hold and 5 database"
                + " connections, pgbench -S (select-only, simple and extended, 20 clients) where the proxy itself sets"
                + " the rate, in rounds alternating between the emulator and PgBouncer, and the memory of idle client"
                + " connections held by testbed proxy.",
            "PgBouncer's and pgbench's rows are left out, with the reason, where they are not installed."})
final class BenchProxyCommand implements Callable<Integer> {

    /** What the benchmark writes to its JSON file; PgBouncer's and pgbench's parts are null when missing. */
    record Report(int roundTrips, Latency direct, Latency rdsProxy, Latency pgBouncer, int pgbenchClients,
            int pgbenchSeconds, int holdMs, Pgbench rdsProxyPgbench, Pgbench pgBouncerPgbench, int selectRounds,
            int selectSeconds, List<SelectOnly> selectOnly, IdleClients idle) {
    }

    /** Clients of the select-only rows: four per database connection, as the measurement had them. */
    static final int SELECT_ONLY_CLIENTS = 20;

    @Spec
    private CommandSpec spec;

    @Option(names = "--round-trips", paramLabel = "N", defaultValue = "20000",
            description = "Timed SELECT 1 round trips per peer (1000..1000000, default: ${DEFAULT-VALUE}).")
    private int roundTrips;

    @Option(names = "--pgbench-clients", paramLabel = "N", defaultValue = "50",
            description = "pgbench clients (1..1000, default: ${DEFAULT-VALUE}).")
    private int pgbenchClients;

    @Option(names = "--pgbench-seconds", paramLabel = "S", defaultValue = "10",
            description = "pgbench run time per proxy (1..600, default: ${DEFAULT-VALUE}).")
    private int pgbenchSeconds;

    @Option(names = "--hold-ms", paramLabel = "MS", defaultValue = "10",
            description = "pg_sleep per pgbench transaction (1..5000, default: ${DEFAULT-VALUE}).")
    private int holdMs;

    @Option(names = "--select-rounds", paramLabel = "N", defaultValue = "5",
            description = "Rounds of pgbench -S per query mode, each a run through the emulator and one through"
                    + " PgBouncer, in alternating order (1..20, default: ${DEFAULT-VALUE}).")
    private int selectRounds;

    @Option(names = "--select-seconds", paramLabel = "S", defaultValue = "5",
            description = "Length of each pgbench -S run (1..600, default: ${DEFAULT-VALUE}).")
    private int selectSeconds;

    @Option(names = "--idle-clients", paramLabel = "N", defaultValue = "5000",
            description = "Idle client connections held by testbed proxy (0 skips; up to 15000, default:"
                    + " ${DEFAULT-VALUE}).")
    private int idleClients;

    @Option(names = "--json", paramLabel = "FILE", defaultValue = "reports/bench-proxy.json",
            description = "Write the result here (default: ${DEFAULT-VALUE}).")
    private Path json;

    @Override
    public Integer call() throws Exception {
        BenchCommand.check(spec, roundTrips >= 1000 && roundTrips <= 1_000_000,
                "--round-trips must be from 1000 to 1000000, got " + roundTrips);
        BenchCommand.check(spec, pgbenchClients >= 1 && pgbenchClients <= 1000,
                "--pgbench-clients must be from 1 to 1000, got " + pgbenchClients);
        BenchCommand.check(spec, pgbenchSeconds >= 1 && pgbenchSeconds <= 600,
                "--pgbench-seconds must be from 1 to 600, got " + pgbenchSeconds);
        BenchCommand.check(spec, holdMs >= 1 && holdMs <= 5000, "--hold-ms must be from 1 to 5000, got " + holdMs);
        BenchCommand.check(spec, selectRounds >= 1 && selectRounds <= 20,
                "--select-rounds must be from 1 to 20, got " + selectRounds);
        BenchCommand.check(spec, selectSeconds >= 1 && selectSeconds <= 600,
                "--select-seconds must be from 1 to 600, got " + selectSeconds);
        BenchCommand.check(spec, idleClients >= 0 && idleClients <= 15_000,
                "--idle-clients must be from 0 to 15000, got " + idleClients);
        Logging.configure(false, json.toAbsolutePath().resolveSibling("testbed.log"));
        PrintWriter out = spec.commandLine().getOut();
        try (TestBed testBed = TestBed.embedded(10).closeOnShutdown()) {
            boolean pgBouncer = testBed.proxyAvailable(ProxyKind.PGBOUNCER);
            Latency direct = ProxyBenchmark.roundTrips(testBed, null, roundTrips);
            ProxyBenchmark.preparePgbenchTables(testBed);
            Latency rdsProxy;
            Optional<Pgbench> rdsProxyPgbench;
            try (Proxy proxy = ProxyBenchmark.start(testBed, ProxyKind.RDS_PROXY)) {
                rdsProxy = ProxyBenchmark.roundTrips(testBed, proxy, roundTrips);
                rdsProxyPgbench = ProxyBenchmark.pgbench(testBed, proxy, pgbenchClients, pgbenchSeconds, holdMs);
            }
            testBed.resetConnections();
            Latency bouncer = null;
            Optional<Pgbench> bouncerPgbench = Optional.empty();
            if (pgBouncer) {
                try (Proxy proxy = ProxyBenchmark.start(testBed, ProxyKind.PGBOUNCER)) {
                    bouncer = ProxyBenchmark.roundTrips(testBed, proxy, roundTrips);
                    bouncerPgbench = ProxyBenchmark.pgbench(testBed, proxy, pgbenchClients, pgbenchSeconds, holdMs);
                }
                testBed.resetConnections();
            }
            List<SelectOnly> selects = new ArrayList<>();
            // Both proxies at once (5 + 5 database connections, the role's limit of 10), compared round by round.
            try (Proxy emulator = ProxyBenchmark.start(testBed, ProxyKind.RDS_PROXY);
                    Proxy peer = pgBouncer ? ProxyBenchmark.start(testBed, ProxyKind.PGBOUNCER) : null) {
                for (QueryMode mode : QueryMode.values()) {
                    SelectOnlyComparison.run(testBed, emulator, peer, mode, SELECT_ONLY_CLIENTS, selectSeconds,
                            selectRounds).ifPresent(selects::add);
                }
            }
            testBed.resetConnections();
            IdleClients idle = idleClients == 0 ? null : ProxyBenchmark.idleClients(testBed, idleClients);
            Report report = new Report(roundTrips, direct, rdsProxy, bouncer, pgbenchClients, pgbenchSeconds, holdMs,
                    rdsProxyPgbench.orElse(null), bouncerPgbench.orElse(null), selectRounds, selectSeconds, selects,
                    idle);
            print(out, report, pgBouncer);
            BenchCommand.writeJson(json, report);
            return 0;
        }
    }

    private static void print(PrintWriter out, Report r, boolean pgBouncer) {
        out.printf(Locale.ROOT, "SELECT 1 round trip, %d each (median / p99): direct %.0f / %.0f us; RDS Proxy emulator"
                + " %.0f / %.0f us (adds %.0f us)%n", r.roundTrips(), r.direct().medianMicros(), r.direct().p99Micros(),
                r.rdsProxy().medianMicros(), r.rdsProxy().p99Micros(),
                r.rdsProxy().medianMicros() - r.direct().medianMicros());
        if (r.pgBouncer() != null) {
            out.printf(Locale.ROOT, "  PgBouncer %.0f / %.0f us (adds %.0f us): the emulator adds %.2f x PgBouncer's"
                    + " added latency%n", r.pgBouncer().medianMicros(), r.pgBouncer().p99Micros(),
                    r.pgBouncer().medianMicros() - r.direct().medianMicros(),
                    (r.rdsProxy().medianMicros() - r.direct().medianMicros())
                            / (r.pgBouncer().medianMicros() - r.direct().medianMicros()));
        } else {
            out.println("  PgBouncer: not installed (sudo apt-get install -y pgbouncer), no comparison");
        }
        if (r.rdsProxyPgbench() == null) {
            out.println("pgbench: not installed (sudo apt-get install -y postgresql), no throughput figures");
        } else {
            out.printf(Locale.ROOT, "pgbench -c %d -j 2 -T %d, pg_sleep %d ms, 5 database connections: emulator %.1f tps,"
                    + " %d failed%n", r.pgbenchClients(), r.pgbenchSeconds(), r.holdMs(), r.rdsProxyPgbench().tps(),
                    r.rdsProxyPgbench().failed());
            if (r.pgBouncerPgbench() != null) {
                out.printf(Locale.ROOT, "  PgBouncer %.1f tps, %d failed: the emulator gives %.1f %% of PgBouncer's%n",
                        r.pgBouncerPgbench().tps(), r.pgBouncerPgbench().failed(),
                        100 * r.rdsProxyPgbench().tps() / r.pgBouncerPgbench().tps());
            } else if (!pgBouncer) {
                out.println("  PgBouncer: not installed, no ratio");
            }
        }
        for (SelectOnly select : r.selectOnly()) {
            out.printf(Locale.ROOT, "pgbench -S -M %s -c %d -j 2, %d rounds of %d s, 5 database connections, no TLS:"
                    + " emulator %.0f tps%s%n", select.mode().flag(), SELECT_ONLY_CLIENTS, r.selectRounds(),
                    r.selectSeconds(), select.rdsProxyTps(), select.ratio() == null
                            ? " (PgBouncer not installed, no ratio)"
                            : String.format(Locale.ROOT, ", PgBouncer %.0f tps in the same rounds: %.2f x PgBouncer's"
                                    + " (rounds %.2f-%.2f)", select.pgBouncerTps(), select.ratio(),
                                    select.roundRatios().lowest(), select.roundRatios().highest()));
            if (select.rdsProxyCpuMicros() != null) {
                out.printf(Locale.ROOT, "  proxy CPU per transaction: emulator %.1f us (this JVM's process)%s%n",
                        select.rdsProxyCpuMicros(), select.pgBouncerCpuMicros() == null ? ""
                                : String.format(Locale.ROOT, ", PgBouncer %.1f us: %.2f x PgBouncer's",
                                        select.pgBouncerCpuMicros(),
                                        select.rdsProxyCpuMicros() / select.pgBouncerCpuMicros()));
            }
        }
        if (r.idle() != null) {
            out.printf(Locale.ROOT, "%d idle clients held by testbed proxy (its own JVM): heap after GC %d -> %d MB,"
                    + " resident %d -> %d MB%n", r.idle().clients(), r.idle().heapBeforeMb(), r.idle().heapAfterMb(),
                    r.idle().rssBeforeMb(), r.idle().rssAfterMb());
        }
    }
}
