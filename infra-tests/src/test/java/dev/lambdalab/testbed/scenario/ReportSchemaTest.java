package dev.lambdalab.testbed.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdalab.testbed.report.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The report's JSON against its documentation: {@link ScenarioResult} groups its numbers in records, and the JSON
 * writes them flat, each field once, exactly the fields docs/report-schema.md lists.
 */
class ReportSchemaTest {

    private static final Pattern FIELD = Pattern.compile("`(\\w+)`");

    @Test
    void aScenarioInTheJsonHasExactlyTheFieldsTheSchemaPageLists() throws Exception {
        Scenario scenario = StandardScenarios.defaults().scenarios().get(0);
        ScenarioResult result = ScenarioResult.skipped(scenario, "a reason");
        JsonNode json = new ObjectMapper().readTree(new Report(1, "test", "2026-12-02T00:00:00Z", Map.of(),
                List.of(result)).toJson()).path("scenarios").get(0);

        Set<String> written = new TreeSet<>();
        json.fieldNames().forEachRemaining(written::add);

        assertThat(written).as("fields of a scenario in the JSON").isEqualTo(documented());
        assertThat(json.path("verdict").asText()).isEqualTo("skipped");
        assertThat(json.path("environments").isNumber()).as("environments is the count, not a group").isTrue();
        assertThat(json.path("latencyMs").path("p99").isNumber()).as("latencyMs keeps its percentiles").isTrue();
    }

    /** The field names in the first column of the scenario table of docs/report-schema.md. */
    private static Set<String> documented() throws Exception {
        Set<String> fields = new TreeSet<>();
        List<String> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : Files.readAllLines(Path.of("..", "docs", "report-schema.md"))) {
            if (line.startsWith("| Field |")) {
                inTable = true;
            } else if (inTable && !line.startsWith("|")) {
                break;
            } else if (inTable && !line.startsWith("|---")) {
                rows.add(line.split("\\|")[1]);
            }
        }
        for (String firstCell : rows) {
            Matcher field = FIELD.matcher(firstCell);
            while (field.find()) {
                fields.add(field.group(1));
            }
        }
        assertThat(fields).as("fields documented in docs/report-schema.md").isNotEmpty();
        return fields;
    }
}
