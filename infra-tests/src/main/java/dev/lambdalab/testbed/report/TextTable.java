package dev.lambdalab.testbed.report;

import dev.lambdalab.testbed.scenario.ScenarioResult;
import dev.lambdalab.testbed.scenario.Verdict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The side-by-side table the CLI prints: one row per scenario, the numbers that matter. */
public final class TextTable {

    private static final String[] HEADERS = {"SCENARIO", "VARIANT", "TARGET", "CALLERS", "REQUESTS", "OK",
        "ERRORS BY CAUSE", "429", "PEAK DB/LIMIT", "PEAK PROXY CLIENTS", "PINNED", "ENVS", "BUSY/ENV", "POOL WAITS",
        "P50 MS", "P99 MS", "REQ/S", "RESULT"};

    private TextTable() {
    }

    public static String render(List<ScenarioResult> results) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADERS);
        for (ScenarioResult r : results) {
            rows.add(row(r));
        }
        int[] widths = new int[HEADERS.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                boolean numeric = i >= 3 && i != 6 && i != 8 && i != HEADERS.length - 1;
                line.append(pad(row[i], widths[i], numeric)).append(i == row.length - 1 ? "" : "  ");
            }
            out.append(line.toString().stripTrailing()).append(System.lineSeparator());
        }
        for (ScenarioResult r : results) {
            if (r.outcome().skipped() != null) {
                out.append(System.lineSeparator()).append("skipped ").append(r.name()).append(": ")
                        .append(r.outcome().skipped());
            }
        }
        for (ScenarioResult r : results) {
            if (r.connections().pinReasons() != null && !r.connections().pinReasons().isEmpty()) {
                out.append(System.lineSeparator()).append("pinned in ").append(r.name()).append(": ")
                        .append(errors(r.connections().pinReasons()))
                        .append(" (RDS Proxy's log: \"The client session was pinned to the database connection ... Reason:")
                        .append(" ...\")");
            }
        }
        if (results.stream().anyMatch(r -> "process".equals(r.setup().isolation()))) {
            out.append(System.lineSeparator()).append("Process isolation: environments frozen between invocations.");
            for (ScenarioResult r : results) {
                if (r.outcome().skipped() == null) {
                    out.append(System.lineSeparator()).append("  ").append(r.name()).append(": at most ")
                            .append(r.connections().peakConnectionsHeldByFrozenEnvironments())
                            .append(" connections held by frozen environments, ")
                            .append(r.environments().clockLeapWarnings())
                            .append(" HikariCP clock-leap warnings");
                }
            }
            out.append(System.lineSeparator());
        }
        return out.toString();
    }

    /** One scenario's row: what ran, what the callers got, the connections, the verdict. */
    private static String[] row(ScenarioResult r) {
        ScenarioResult.Setup setup = r.setup();
        if (r.outcome().skipped() != null) {
            String[] row = new String[HEADERS.length];
            Arrays.fill(row, "-");
            row[0] = r.name();
            row[1] = setup.variant().label();
            row[2] = setup.target().label();
            row[3] = Integer.toString(setup.concurrency());
            row[HEADERS.length - 1] = "SKIPPED";
            return row;
        }
        ScenarioResult.Answers answers = r.answers();
        ScenarioResult.Connections connections = r.connections();
        String peakDb = connections.peakDbConnections() + "/" + setup.roleConnectionLimit()
                + (setup.proxyDatabaseConnections() == null ? "" : " (proxy max " + setup.proxyDatabaseConnections() + ")");
        return new String[] {
            r.name(), setup.variant().label(), setup.target().label(),
            setup.concurrency() + (setup.reservedConcurrency() == null ? "" : " (reserved " + setup.reservedConcurrency()
                    + ")"),
            Integer.toString(setup.requests()), Long.toString(answers.ok()), errors(answers.errorDetails()),
            Long.toString(answers.throttled()), peakDb,
            connections.peakClientConnections() == null ? "-" : Integer.toString(connections.peakClientConnections()),
            connections.pinnedSessions() == null ? "-" : Integer.toString(connections.pinnedSessions()),
            Long.toString(r.environments().created()),
            r.environments().peakInFlightPerEnvironment() < 0 ? "-"
                    : Integer.toString(r.environments().peakInFlightPerEnvironment()),
            Long.toString(answers.poolWaits()), number(answers.latencyMs().p50()),
            number(answers.latencyMs().p99()), number(answers.throughputPerSec()),
            r.outcome().observed() + (r.outcome().verdict() == Verdict.AS_EXPECTED ? " (as expected)" : " (UNEXPECTED)")};
    }

    private static String errors(Map<String, Long> byCause) {
        if (byCause.isEmpty()) {
            return "0";
        }
        return byCause.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
    }

    private static String number(double value) {
        return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String pad(String text, int width, boolean right) {
        String padding = " ".repeat(Math.max(0, width - text.length()));
        return right ? padding + text : text + padding;
    }
}
