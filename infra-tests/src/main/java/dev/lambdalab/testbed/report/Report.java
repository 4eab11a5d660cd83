package dev.lambdalab.testbed.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lambdalab.db.Redactor;
import dev.lambdalab.testbed.scenario.ScenarioResult;
import java.io.IOException;
import java.nio.file.Files;
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

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public Report {
        environment = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(environment)); // keeps order
        scenarios = List.copyOf(scenarios);
    }

    public String toJson() {
        try {
            return Redactor.redact(JSON.writeValueAsString(this));
        } catch (IOException e) {
            throw new IllegalStateException("could not write the report as JSON", e);
        }
    }

    public void writeJson(Path file) throws IOException {
        write(file, toJson());
    }

    public void writeHtml(Path file) throws IOException {
        write(file, HtmlReport.render(this));
    }

    private static void write(Path file, String content) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, content);
    }
}
