package dev.lambdalab.testbed.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A {@code -n env.json} file in SAM CLI's format: {@code {"FunctionLogicalId": {"VAR": "value"}, "Parameters":
 * {"VAR": "value"}}}. As {@code sam local} ({@code LocalLambdaRunner._make_env_vars}), a function's own entries win
 * over {@code Parameters}, which apply to every function, and only variables the template declares are set.
 */
final class EnvVarsFile {

    /** The key whose variables apply to every function. */
    static final String ALL_FUNCTIONS = "Parameters";

    private final Map<String, Map<String, String>> byFunction;

    private EnvVarsFile(Map<String, Map<String, String>> byFunction) {
        this.byFunction = byFunction;
    }

    /** No file: nothing overridden. */
    static EnvVarsFile none() {
        return new EnvVarsFile(Map.of());
    }

    /**
     * Reads the file.
     *
     * @throws IllegalArgumentException naming the file and what is wrong: not JSON, not an object, an entry that is
     *     not an object of variables, a value that is an object or a list
     */
    static EnvVarsFile read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("-n " + file + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("-n " + file + " cannot be read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("-n " + file + " must be a JSON object: {\"FunctionLogicalId\": {\"VAR\":"
                    + " \"value\"}, \"Parameters\": {\"VAR\": \"value\"}}");
        }
        Map<String, Map<String, String>> byFunction = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            if (!entry.getValue().isObject()) {
                throw new IllegalArgumentException("-n " + file + ": \"" + entry.getKey() + "\" must be an object of"
                        + " variables, got " + entry.getValue().getNodeType().name().toLowerCase(Locale.ROOT));
            }
            Map<String, String> variables = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> value : entry.getValue().properties()) {
                JsonNode node = value.getValue();
                if (node.isContainerNode()) {
                    throw new IllegalArgumentException("-n " + file + ": " + entry.getKey() + "." + value.getKey()
                            + " must be a string, number or boolean, got " + node.getNodeType().name()
                            .toLowerCase(Locale.ROOT));
                }
                variables.put(value.getKey(), node.isNull() ? "" : node.asText());
            }
            byFunction.put(entry.getKey(), variables);
        }
        return new EnvVarsFile(byFunction);
    }

    /** The values the file gives the function: Parameters', then its own. */
    Map<String, String> forFunction(String logicalId) {
        Map<String, String> values = new LinkedHashMap<>(byFunction.getOrDefault(ALL_FUNCTIONS, Map.of()));
        values.putAll(byFunction.getOrDefault(logicalId, Map.of()));
        return values;
    }

    /** The file's keys other than Parameters: each should be a function of the template. */
    Set<String> functionKeys() {
        Set<String> keys = new LinkedHashSet<>(byFunction.keySet());
        keys.remove(ALL_FUNCTIONS);
        return keys;
    }
}
