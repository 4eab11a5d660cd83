package dev.lambdalab.testbed.compare;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lambdalab.db.Redactor;
import dev.lambdalab.testbed.report.ReportFiles;
import dev.lambdalab.testbed.scenario.ScenarioResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code testbed aws --compare} writes: both runs' results and the comparison rows, as JSON (docs/report-schema.md)
 * and as one HTML page, and the table it prints.
 *
 * @param schemaVersion 1
 * @param title {@code testbed aws --compare}
 * @param generatedAt ISO-8601 time the comparison was made
 * @param environment the stack, the local setup, which statistic each CloudWatch number is
 * @param aws the AWS run's results, one per route
 * @param local the local prediction's results, one per route
 * @param rows each measure of each route, AWS against the prediction
 */
public record ComparisonReport(int schemaVersion, String title, String generatedAt, Map<String, String> environment,
        List<ScenarioResult> aws, List<ScenarioResult> local, List<ComparisonRow> rows) {

    public ComparisonReport {
        environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        aws = List.copyOf(aws);
        local = List.copyOf(local);
        rows = List.copyOf(rows);
    }

    /** Rows that disagree beyond their tolerance. */
    @JsonProperty("disagreements")
    public long disagreements() {
        return rows.stream().filter(row -> row.agreement() == ComparisonRow.Agreement.DISAGREES).count();
    }

    /** The table as printed: one line per row, the reason under each disagreement. */
    public String table() {
        List<String[]> lines = new ArrayList<>();
        lines.add(new String[] {"ROUTE", "MEASURE", "AWS", "LOCAL", "AWS/LOCAL", "TOLERANCE", "RESULT"});
        for (ComparisonRow row : rows) {
            lines.add(new String[] {row.route(), row.label(), row.aws() == null ? "no datapoint" : number(row.aws()),
                number(row.local()), row.ratio() == null ? "-" : String.format(Locale.ROOT, "%.2f", row.ratio()),
                row.measure().tolerance().describe(), row.agreement().name()});
        }
        int[] widths = new int[lines.get(0).length];
        for (String[] line : lines) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String[] line = lines.get(i);
            for (int column = 0; column < line.length; column++) {
                text.append(String.format(Locale.ROOT, "%-" + widths[column] + "s", line[column]))
                        .append(column + 1 < line.length ? "  " : "");
            }
            text.append(System.lineSeparator());
            if (i > 0 && !rows.get(i - 1).likelyReason().isEmpty()) {
                text.append("    likely: ").append(rows.get(i - 1).likelyReason()).append(System.lineSeparator());
            }
        }
        return text.toString();
    }

    public String toJson() {
        return ReportFiles.json(this, "comparison");
    }

    public void writeJson(Path file) throws IOException {
        ReportFiles.write(file, toJson());
    }

    /** One self-contained page: the environment, then the rows, disagreements marked with their reason. */
    public void writeHtml(Path file) throws IOException {
        StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>testbed aws --compare</title><style>body{font-family:sans-serif;margin:2em}"
                + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}"
                + ".DISAGREES{background:#fde2e2}.AGREES{background:#e6f4ea}</style></head><body>\n"
                + "<h1>AWS against the local prediction</h1>\n<table>\n");
        environment.forEach((key, value) -> html.append("<tr><th>").append(escape(key)).append("</th><td>")
                .append(escape(value)).append("</td></tr>\n"));
        html.append("</table>\n<h2>").append(disagreements()).append(" of ").append(rows.size())
                .append(" rows disagree</h2>\n<table>\n<tr><th>Route</th><th>Measure</th><th>AWS</th><th>Local</th>"
                        + "<th>AWS/local</th><th>Tolerance</th><th>Result</th><th>Likely reason</th></tr>\n");
        for (ComparisonRow row : rows) {
            html.append("<tr class=\"").append(row.agreement().name()).append("\"><td>").append(escape(row.route()))
                    .append("</td><td>").append(escape(row.label())).append("</td><td>")
                    .append(row.aws() == null ? "no datapoint" : number(row.aws())).append("</td><td>")
                    .append(number(row.local())).append("</td><td>")
                    .append(row.ratio() == null ? "-" : String.format(Locale.ROOT, "%.2f", row.ratio()))
                    .append("</td><td>").append(escape(row.measure().tolerance().describe())).append("</td><td>")
                    .append(row.agreement().name()).append("</td><td>").append(escape(row.likelyReason()))
                    .append("</td></tr>\n");
        }
        html.append("</table>\n</body></html>\n");
        ReportFiles.write(file, Redactor.redact(html.toString()));
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
