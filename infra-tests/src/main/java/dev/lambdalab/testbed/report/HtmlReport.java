package dev.lambdalab.testbed.report;

import dev.lambdalab.db.Redactor;
import dev.lambdalab.testbed.scenario.ScenarioResult;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One self-contained HTML file (no script, no font, no network): the results table and, for each
 * scenario, a chart of database connections over time against the role's limit and the proxy's
 * maximum, so a class can see the broken function hit the ceiling and the fixed one stay under it.
 */
public final class HtmlReport {

    private static final int WIDTH = 680;
    private static final int HEIGHT = 230;
    private static final int LEFT = 48;
    private static final int RIGHT = 16;
    private static final int TOP = 14;
    private static final int BOTTOM = 34;

    private HtmlReport() {
    }

    public static String render(Report report) {
        StringBuilder html = new StringBuilder(64 * 1024);
        html.append("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>""").append(escape(report.title())).append("""
                </title>
                <style>
                body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1d2330;max-width:1200px}
                h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 6px}
                .meta{color:#5b6473;font-size:13px;margin-bottom:16px}
                table{border-collapse:collapse;font-size:13px;margin:8px 0}
                th,td{border:1px solid #d6dbe3;padding:4px 8px;text-align:left;vertical-align:top}
                th{background:#f1f4f8} td.n{text-align:right;font-variant-numeric:tabular-nums}
                .ok{background:#e3f5e8;color:#15632d;font-weight:600}
                .bad{background:#fde7e7;color:#8c1c1c;font-weight:600}
                .skip{background:#f1f4f8;color:#5b6473}
                .card{border:1px solid #d6dbe3;border-radius:8px;padding:12px 16px;margin:14px 0}
                .desc{color:#3a4250;font-size:14px;margin:2px 0 8px}
                .legend span{display:inline-block;margin-right:16px;font-size:12px}
                .sw{display:inline-block;width:18px;height:3px;vertical-align:middle;margin-right:5px}
                svg text{font-size:11px;fill:#5b6473}
                </style></head><body>
                """);
        html.append("<h1>").append(escape(report.title())).append("</h1>\n");
        html.append("<div class=\"meta\">Generated ").append(escape(report.generatedAt())).append("</div>\n");
        html.append("<table>");
        for (Map.Entry<String, String> entry : report.environment().entrySet()) {
            html.append("<tr><th>").append(escape(entry.getKey())).append("</th><td>").append(escape(entry.getValue()))
                    .append("</td></tr>");
        }
        html.append("</table>\n<h2>Results</h2>\n").append(table(report.scenarios()));
        html.append("<h2>Database connections over time</h2>\n");
        for (ScenarioResult result : report.scenarios()) {
            html.append(card(result));
        }
        html.append("</body></html>\n");
        return Redactor.redact(html.toString());
    }

    private static String table(List<ScenarioResult> results) {
        StringBuilder html = new StringBuilder("<table><tr><th>Scenario</th><th>Variant</th><th>Target</th>"
                + "<th>Callers</th><th>Requests</th><th>OK</th><th>Errors by cause</th><th>429</th>"
                + "<th>Peak DB / limit</th><th>Peak proxy clients</th><th>Pinned</th><th>Environments</th><th>p50 ms</th>"
                + "<th>p95 ms</th><th>p99 ms</th><th>Req/s</th><th>Result</th></tr>\n");
        for (ScenarioResult r : results) {
            row(html, r);
        }
        return html.append("</table>\n").toString();
    }

    private static void row(StringBuilder html, ScenarioResult r) {
        ScenarioResult.Setup setup = r.setup();
        html.append("<tr><td><a href=\"#").append(escape(r.name())).append("\">").append(escape(r.name()))
                .append("</a></td><td>").append(escape(setup.variant().label())).append("</td><td>")
                .append(escape(setup.target().label())).append("</td>");
        if (r.outcome().skipped() != null) {
            html.append("<td class=\"n\">").append(setup.concurrency()).append("</td><td colspan=\"12\">")
                    .append(escape(r.outcome().skipped())).append("</td><td class=\"skip\">SKIPPED</td></tr>\n");
            return;
        }
        ScenarioResult.Answers answers = r.answers();
        ScenarioResult.Connections connections = r.connections();
        html.append(numberCell(setup.concurrency() + (setup.reservedConcurrency() == null ? ""
                        : " (reserved " + setup.reservedConcurrency() + ")")))
                .append(numberCell(Integer.toString(setup.requests())))
                .append(numberCell(Long.toString(answers.ok())))
                .append("<td>").append(escape(errors(answers.errorDetails()))).append("</td>")
                .append(numberCell(Long.toString(answers.throttled())))
                .append(numberCell(connections.peakDbConnections() + " / " + setup.roleConnectionLimit()
                        + (setup.proxyDatabaseConnections() == null ? ""
                                : " (proxy max " + setup.proxyDatabaseConnections() + ")")))
                .append(numberCell(connections.peakClientConnections() == null ? "–"
                        : connections.peakClientConnections().toString()))
                .append(numberCell(connections.pinnedSessions() == null ? "–" : connections.pinnedSessions().toString()))
                .append(numberCell(Long.toString(r.environments().created())))
                .append(numberCell(format(answers.latencyMs().p50())))
                .append(numberCell(format(answers.latencyMs().p95())))
                .append(numberCell(format(answers.latencyMs().p99())))
                .append(numberCell(format(answers.throughputPerSec())))
                .append("<td class=\"").append(r.asExpected() ? "ok" : "bad").append("\">")
                .append(escape(r.outcome().observed())).append(r.asExpected() ? " (as expected)" : " (UNEXPECTED)")
                .append("</td></tr>\n");
    }

    private static String card(ScenarioResult r) {
        StringBuilder html = new StringBuilder("<div class=\"card\" id=\"").append(escape(r.name())).append("\">");
        html.append("<b>").append(escape(r.name())).append("</b> &middot; ").append(escape(r.setup().variant().label()))
                .append(" &rarr; ").append(escape(r.setup().target().label())).append("<div class=\"desc\">")
                .append(escape(r.description())).append("</div>");
        if (r.outcome().skipped() != null) {
            return html.append("<div class=\"desc\">Skipped: ").append(escape(r.outcome().skipped()))
                    .append("</div></div>\n").toString();
        }
        html.append(chart(r));
        html.append("<div class=\"legend\"><span><i class=\"sw\" style=\"background:#2563eb\"></i>database connections"
                + " of the application role</span>");
        if (r.connections().peakClientConnections() != null) {
            html.append("<span><i class=\"sw\" style=\"background:#d97706\"></i>proxy client connections</span>");
        }
        html.append("<span><i class=\"sw\" style=\"background:#dc2626\"></i>role connection limit</span>");
        if (r.setup().proxyDatabaseConnections() != null) {
            html.append("<span><i class=\"sw\" style=\"background:#16a34a\"></i>proxy's database connections (max)</span>");
        }
        return html.append("</div></div>\n").toString();
    }

    /** An SVG line chart of the timeline: x in seconds, y in connections. */
    static String chart(ScenarioResult r) {
        List<int[]> points = r.timeline();
        double maxX = Math.max(1, points.isEmpty() ? 1 : points.get(points.size() - 1)[0]) / 1000.0;
        int maxY = r.setup().roleConnectionLimit();
        for (int[] point : points) {
            maxY = Math.max(maxY, Math.max(point[1], point[2]));
        }
        maxY = niceCeiling(maxY + 1);
        double plotWidth = WIDTH - LEFT - RIGHT;
        double plotHeight = HEIGHT - TOP - BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append("<svg viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT).append("\" width=\"").append(WIDTH)
                .append("\" height=\"").append(HEIGHT).append("\" role=\"img\" aria-label=\"connections over time for ")
                .append(escape(r.name())).append("\">");
        // grid and y ticks
        int step = Math.max(1, maxY / 5);
        for (int y = 0; y <= maxY; y += step) {
            double py = TOP + plotHeight - y * plotHeight / maxY;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eef1f5\"/>",
                    LEFT, WIDTH - RIGHT, py, py));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>", LEFT - 6,
                    py + 4, y));
        }
        // x ticks
        double xStep = niceStep(maxX / 6);
        for (double x = 0; x <= maxX + 1e-9; x += xStep) {
            double px = LEFT + x * plotWidth / maxX;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s s</text>", px,
                    HEIGHT - BOTTOM + 16, trim(x)));
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#9aa3b2\"/>",
                LEFT, WIDTH - RIGHT, TOP + plotHeight, TOP + plotHeight));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">connections</text>", 4, TOP - 2));
        horizontal(svg, r.setup().roleConnectionLimit(), maxY, plotWidth, plotHeight, "#dc2626", "6 4");
        if (r.setup().proxyDatabaseConnections() != null) {
            horizontal(svg, r.setup().proxyDatabaseConnections(), maxY, plotWidth, plotHeight, "#16a34a", "2 3");
        }
        if (!points.isEmpty()) {
            svg.append(polyline(points, 1, maxX, maxY, plotWidth, plotHeight, "#2563eb"));
            if (r.connections().peakClientConnections() != null) {
                svg.append(polyline(points, 2, maxX, maxY, plotWidth, plotHeight, "#d97706"));
            }
        }
        return svg.append("</svg>").toString();
    }

    private static void horizontal(StringBuilder svg, int value, int maxY, double plotWidth, double plotHeight,
            String color, String dash) {
        double py = TOP + plotHeight - value * plotHeight / maxY;
        svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-dasharray=\"%s\"/>",
                LEFT, LEFT + plotWidth, py, py, color, dash));
    }

    private static String polyline(List<int[]> points, int index, double maxX, int maxY, double plotWidth,
            double plotHeight, String color) {
        StringBuilder line = new StringBuilder("<polyline fill=\"none\" stroke=\"").append(color)
                .append("\" stroke-width=\"2\" points=\"");
        int stride = Math.max(1, points.size() / 1500);
        for (int i = 0; i < points.size(); i += stride) {
            int[] point = points.get(i);
            double px = LEFT + point[0] / 1000.0 * plotWidth / maxX;
            double py = TOP + plotHeight - Math.max(0, point[index]) * plotHeight / maxY;
            line.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
        }
        return line.append("\"/>").toString();
    }

    private static int niceCeiling(int value) {
        int[] steps = {5, 10, 15, 20, 25, 30, 40, 50, 60, 80, 100, 150, 200, 250, 300, 400, 500, 750, 1000};
        for (int step : steps) {
            if (value <= step) {
                return step;
            }
        }
        return (value / 500 + 1) * 500;
    }

    private static double niceStep(double rough) {
        double[] steps = {0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300};
        for (double step : steps) {
            if (rough <= step) {
                return step;
            }
        }
        return 600;
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String format(double value) {
        return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String numberCell(String text) {
        return "<td class=\"n\">" + escape(text) + "</td>";
    }

    private static String errors(Map<String, Long> byCause) {
        if (byCause.isEmpty()) {
            return "0";
        }
        StringBuilder text = new StringBuilder();
        byCause.forEach((cause, count) -> text.append(text.length() == 0 ? "" : ", ").append(count).append(' ').append(cause));
        return text.toString();
    }

    static String escape(String text) {
        if (text == null) {
            return "";
        }
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}
