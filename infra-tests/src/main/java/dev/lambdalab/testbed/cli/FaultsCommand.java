package dev.lambdalab.testbed.cli;

import dev.lambdalab.db.Setting;
import dev.lambdalab.testbed.faults.Fault;
import dev.lambdalab.testbed.faults.FaultReport;
import dev.lambdalab.testbed.faults.FaultResult;
import dev.lambdalab.testbed.faults.FaultRunner;
import dev.lambdalab.testbed.TestBed;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code testbed faults}: the fixed function under each fault, with what the caller saw and the recovery. */
@Command(name = "faults", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Injects faults into the fixed function's path (idle connections closed, PgBouncer and PostgreSQL"
                + " restarted under load, the database down at a cold start, rotated credentials, function timeouts,"
                + " slow queries) and prints what the callers saw and how long recovery took.",
            "Exit code: 0 when every fault's checks hold, 1 when one does not or the run fails, 2 for a bad flag."})
final class FaultsCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--only", paramLabel = "LIST", split = ",", description = "Which faults, by label (default: all):"
            + " ${COMPLETION-CANDIDATES}.", completionCandidates = FaultLabels.class)
    private List<String> only;

    @Option(names = "--markdown", description = "Print docs/faults.md's table (fault, what the caller sees, recovery)"
            + " instead of the text blocks.")
    private boolean markdown;

    @Option(names = "--json", paramLabel = "FILE", description = "Write every measurement, check and function log"
            + " line here (default: ${DEFAULT-VALUE}).", defaultValue = "reports/faults.json")
    private Path json;

    @Mixin
    private TestBedOptions database;

    @Mixin
    private TemplateValuesOptions template;

    @Option(names = "--verbose", description = "HikariCP's and the handlers' log lines on stderr, stack traces of errors.")
    private boolean verbose;

    @Override
    public Integer call() throws Exception {
        List<Fault> faults = selected();
        database.validate(spec);
        template.validate(spec);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path logFile = Logging.besideReport(json);
        Logging.configure(verbose, logFile);
        err.println("Lambda connection lab: testbed faults");
        err.println("  starting PostgreSQL ...");
        try (TestBed testBed = template.applyTo(database.open(10))) {
            Map<String, String> environment = new LinkedHashMap<>();
            environment.put("database", testBed.description() + "; role app CONNECTION LIMIT 10");
            environment.put("proxy", testBed.proxyDescription());
            environment.put("function", "fixed: one static pool of 1 per environment (POOL_MAX_SIZE's default on"
                    + " classic Lambda: the environment's concurrency), " + defaults(Setting.POOL_TIMEOUT_MS, Setting.DB_CONNECT_TIMEOUT_S,
                            Setting.DB_QUERY_TIMEOUT_S, Setting.DB_SOCKET_TIMEOUT_S) + " unless a fault says otherwise");
            environment.put("template", template.text());
            environment.put("isolation", TestBedOptions.isolationText(testBed));
            environment.put("machine", Runtime.getRuntime().availableProcessors() + " CPUs, Java "
                    + System.getProperty("java.version"));
            environment.forEach((key, value) -> err.println("  " + key + ": " + value));
            err.println();
            FaultRunner runner = new FaultRunner(testBed).withProgress(line -> err.println("  " + line));
            List<FaultResult> results = new ArrayList<>();
            for (Fault fault : faults) {
                results.add(runner.run(fault));
            }
            out.println();
            out.print(markdown ? FaultReport.markdown(results) : FaultReport.text(results));
            FaultReport.writeJson(json, results, environment);
            out.println();
            out.println("Report: " + json + (verbose ? "" : "; log: " + logFile));
            long failed = results.stream().filter(r -> !r.wasSkipped() && !r.passed()).count();
            if (failed > 0) {
                err.println("testbed: " + failed + " fault(s) failed a check (see FAILED CHECK)");
                return 1;
            }
            return 0;
        }
    }

    /** {@code POOL_TIMEOUT_MS 3000, DB_CONNECT_TIMEOUT_S 3}: the catalogue's defaults, never copied by hand. */
    private static String defaults(Setting... settings) {
        return Arrays.stream(settings).map(setting -> setting.variable() + " " + setting.defaultValue())
                .collect(Collectors.joining(", "));
    }

    private List<Fault> selected() {
        if (only == null) {
            return List.of(Fault.values());
        }
        List<Fault> faults = new ArrayList<>();
        for (String label : only) {
            try {
                faults.add(Fault.fromLabel(label.strip()));
            } catch (IllegalArgumentException e) {
                TestBedOptions.require(spec, false, "--only: " + e.getMessage());
            }
        }
        return faults;
    }

    /** The labels, for --help. */
    static final class FaultLabels implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Arrays.stream(Fault.values()).map(Fault::label).iterator();
        }
    }
}
