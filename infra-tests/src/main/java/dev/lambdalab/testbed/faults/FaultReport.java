package dev.lambdalab.testbed.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lambdalab.db.Redactor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The faults' results three ways: a text block per fault for the terminal, the Markdown table of docs/faults.md
 * (fault → what the caller sees → recovery), and JSON with every measurement, check and log line.
 * Everything that leaves goes through {@link Redactor}, as the functions' own answers do.
 */
public final class FaultReport {

    /** Version of the JSON layout: bumped when a field changes meaning or goes away. */
    public static final int SCHEMA_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private FaultReport() {
    }

    /** One block per fault: label and verdict, what it does, what the caller saw, recovery, failed checks. */
    public static String text(List<FaultResult> results) {
        StringBuilder out = new StringBuilder();
        for (FaultResult result : results) {
            String verdict = result.wasSkipped() ? "SKIPPED" : result.passed() ? "PASSED" : "FAILED";
            out.append(String.format("%-40s %s%n", result.fault().label(), verdict));
            out.append("  ").append(result.fault().description()).append(System.lineSeparator());
            if (result.wasSkipped()) {
                out.append("  ").append(result.skipped()).append(System.lineSeparator());
                continue;
            }
            out.append("  caller saw: ").append(result.callerSaw()).append(System.lineSeparator());
            out.append("  recovery:   ").append(result.recovery()).append(System.lineSeparator());
            for (FaultResult.Check check : result.checks()) {
                if (!check.passed()) {
                    out.append("  FAILED CHECK: ").append(check.name()).append(" (measured: ").append(check.measured())
                            .append(')').append(System.lineSeparator());
                }
            }
        }
        return Redactor.redact(out.toString());
    }

    /** The table of docs/faults.md. */
    public static String markdown(List<FaultResult> results) {
        StringBuilder table = new StringBuilder("| Fault | What the caller sees | Recovery |\n|---|---|---|\n");
        for (FaultResult result : results) {
            table.append("| `").append(result.fault().label()).append("`: ")
                    .append(cell(result.fault().description())).append(" | ")
                    .append(cell(result.callerSaw())).append(" | ").append(cell(result.recovery())).append(" |\n");
        }
        return Redactor.redact(table.toString());
    }

    /** Everything, as JSON. */
    public static String json(List<FaultResult> results, Map<String, String> environment) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schemaVersion", SCHEMA_VERSION);
        root.put("generatedAt", Instant.now().toString());
        ObjectNode env = root.putObject("environment");
        environment.forEach(env::put);
        ArrayNode faults = root.putArray("faults");
        for (FaultResult result : results) {
            ObjectNode fault = faults.addObject();
            fault.put("fault", result.fault().label());
            fault.put("description", result.fault().description());
            fault.put("verdict", result.wasSkipped() ? "skipped" : result.passed() ? "passed" : "failed");
            if (result.wasSkipped()) {
                fault.put("skipped", result.skipped());
                continue;
            }
            fault.put("callerSaw", result.callerSaw());
            fault.put("recovery", result.recovery());
            ObjectNode answers = fault.putObject("answers");
            result.answers().forEach(answers::put);
            ObjectNode measurements = fault.putObject("measurements");
            result.measurements().forEach((name, value) -> measurements.put(name, value.longValue()));
            ArrayNode checks = fault.putArray("checks");
            for (FaultResult.Check check : result.checks()) {
                checks.addObject().put("check", check.name()).put("passed", check.passed())
                        .put("measured", check.measured());
            }
            ArrayNode log = fault.putArray("functionLog");
            result.log().forEach(log::add);
        }
        try {
            return Redactor.redact(JSON.writeValueAsString(root));
        } catch (IOException e) {
            throw new IllegalStateException("could not render the fault report: " + e.getMessage(), e);
        }
    }

    /** Writes {@link #json} to the file, creating its directory. */
    public static void writeJson(Path file, List<FaultResult> results, Map<String, String> environment)
            throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, json(results, environment));
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
