package dev.lambdalab.testbed.report;

import dev.lambdalab.testbed.scenario.ScenarioResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything a run produced: where it ran and each scenario's result. Written as JSON (the schema in
 * docs/report-schema.md) and as a self-contained HTML page.
 *
 * @param schemaVersion 1
 * @param title what was run ({@code testbed reproduce})
 * @param generatedAt ISO-8601 time the run ended
 * @param environment where it ran: server, proxy, JVM, settings
 * @param scenarios one result per scenario, in the order they ran
 */
public record Report(int schemaVersion, String title, String generatedAt, Map<String, String> environment,
        List<ScenarioResult> scenarios) {

    public Report {
        environment = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(environment)); // keeps order
        scenarios = List.copyOf(scenarios);
    }

    public String toJson() {
        return ReportFiles.json(this, "report");
    }

    public void writeJson(Path file) throws IOException {
        ReportFiles.write(file, toJson());
    }

    public void writeHtml(Path file) throws IOException {
        ReportFiles.write(file, HtmlReport.render(this));
    }
}
