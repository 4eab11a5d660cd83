package dev.lambdalab.testbed.report;

import dev.lambdalab.testbed.scenario.ScenarioResult;
import dev.lambdalab.testbed.scenario.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The side-by-side table the CLI prints: one row per scenario, the numbers that matter. */
public final class TextTable {

    private static final String[] HEADERS = {"SCENARIO", "VARIANT", "TARGET", "CALLERS", "REQUESTS", "OK",
        "ERRORS BY CAUSE", "429", "PEAK DB/LIMIT", "PEAK PROXY CLIENTS", "PINNED", "ENVS", "P50 MS", "P99 MS", "REQ/S", "RESULT"};

    private TextTable() {
    }

    public static String render(List<ScenarioResult> results) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADERS);
        for (ScenarioResult r : results) {
            if (r.skipped() != null) {
                rows.add(new String[] {r.name(), r.variant(), r.target(), Integer.toString(r.concurrency()), "-", "-",
                    "-", "-", "-", "-", "-", "-", "-", "-", "-", "SKIPPED"});
                continue;
            }
            String peakDb = r.peakDbConnections() + "/" + r.roleConnectionLimit()
                    + (r.proxyDatabaseConnections() == null ? "" : " (proxy max " + r.proxyDatabaseConnections() + ")");
            rows.add(new String[] {
                r.name(), r.variant(), r.target(),
                r.concurrency() + (r.reservedConcurrency() == null ? "" : " (reserved " + r.reservedConcurrency() + ")"),
                Integer.toString(r.requests()), Long.toString(r.ok()), errors(r.errorDetails()),
                Long.toString(r.throttled()), peakDb,
                r.peakClientConnections() == null ? "-" : Integer.toString(r.peakClientConnections()),
                r.pinnedSessions() == null ? "-" : Integer.toString(r.pinnedSessions()),
                Long.toString(r.environments()), number(r.latencyMs().p50()), number(r.latencyMs().p99()),
                number(r.throughputPerSec()),
                r.observed() + (r.verdict() == Verdict.AS_EXPECTED ? " (as expected)" : " (UNEXPECTED)")});
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
            if (r.skipped() != null) {
                out.append(System.lineSeparator()).append("skipped ").append(r.name()).append(": ").append(r.skipped());
            }
        }
        for (ScenarioResult r : results) {
            if (r.pinReasons() != null && !r.pinReasons().isEmpty()) {
                out.append(System.lineSeparator()).append("pinned in ").append(r.name()).append(": ")
                        .append(errors(r.pinReasons())).append(" (RDS Proxy's log: \"The client session was pinned to the")
                        .append(" database connection ... Reason: ...\")");
            }
        }
        if (results.stream().anyMatch(r -> "process".equals(r.isolation()))) {
            out.append(System.lineSeparator()).append("Process isolation: environments frozen between invocations.");
            for (ScenarioResult r : results) {
                if (r.skipped() == null) {
                    out.append(System.lineSeparator()).append("  ").append(r.name()).append(": at most ")
                            .append(r.peakConnectionsHeldByFrozenEnvironments())
                            .append(" connections held by frozen environments, ").append(r.clockLeapWarnings())
                            .append(" HikariCP clock-leap warnings");
                }
            }
            out.append(System.lineSeparator());
        }
        return out.toString();
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
