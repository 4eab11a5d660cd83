package dev.lambdalab.testbed.cli;

import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.bench.SnapStartBenchmark;
import dev.lambdalab.testbed.lambda.SnapStart;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code testbed bench snapstart}: Restore Duration against Init Duration, measured in one run. */
@Command(name = "snapstart", mixinStandardHelpOptions = true,
        description = {"SnapStart under the process isolation: cold starts of the SnapStart-safe fixed handler one at a"
                + " time with on-demand init, then restored from one CRIU snapshot, then --concurrent copies restored at"
                + " once. Prints Init Duration and Restore Duration (median, p95) and their ratio.",
            "Needs Linux, root and CRIU 4.1 (infra-tests/snapstart/install-criu)."})
final class BenchSnapStartCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--cold-starts", paramLabel = "N", defaultValue = "10",
            description = "Cold starts of each kind, one at a time (1..200, default: ${DEFAULT-VALUE}).")
    private int coldStarts;

    @Option(names = "--concurrent", paramLabel = "N", defaultValue = "10",
            description = "Copies restored at once at the end (1..200, default: ${DEFAULT-VALUE}).")
    private int concurrent;

    @Option(names = "--json", paramLabel = "FILE", defaultValue = "reports/bench-snapstart.json",
            description = "Write the result here (default: ${DEFAULT-VALUE}).")
    private Path json;

    @Override
    public Integer call() throws Exception {
        BenchCommand.check(spec, coldStarts >= 1 && coldStarts <= 200, "--cold-starts must be from 1 to 200, got "
                + coldStarts);
        BenchCommand.check(spec, concurrent >= 1 && concurrent <= 200, "--concurrent must be from 1 to 200, got "
                + concurrent);
        SnapStart.snapshotUnavailableReason().ifPresent(reason -> BenchCommand.check(spec, false,
                "bench snapstart needs real snapshots: " + reason));
        Logging.configure(false, json.toAbsolutePath().resolveSibling("testbed.log"));
        PrintWriter out = spec.commandLine().getOut();
        try (TestBed testBed = TestBed.fromEnvironment(10).closeOnShutdown()) {
            SnapStartBenchmark.Result result = SnapStartBenchmark.run(testBed, coldStarts, concurrent);
            out.printf(Locale.ROOT, "on-demand cold starts (%d, one at a time): Init Duration median %.0f ms, p95 %.0f ms;"
                            + " first answer median %.0f ms%n", result.coldStarts(), result.onDemandInit().median(),
                    result.onDemandInit().p95(), result.onDemandFirstAnswer().median());
            out.printf(Locale.ROOT, "snapshot: Init Duration %d ms once (init and beforeCheckpoint), %d MB, dumped in %d ms%n",
                    result.snapshotInitMillis(), result.snapshotMb(), result.dumpMillis());
            out.printf(Locale.ROOT, "restored cold starts (%d, one at a time): Restore Duration median %.0f ms, p95 %.0f ms;"
                            + " first answer median %.0f ms%n", result.coldStarts(), result.restore().median(),
                    result.restore().p95(), result.restoreFirstAnswer().median());
            out.printf(Locale.ROOT, "Restore / Init Duration, medians: %.2f%n", result.restoreToInit());
            out.printf(Locale.ROOT, "%d copies restored at once: Restore Duration median %.0f ms, max %.0f ms%n",
                    result.concurrent(), result.concurrentRestore().median(), result.concurrentRestore().p95());
            BenchCommand.writeJson(json, result);
            return 0;
        }
    }
}
