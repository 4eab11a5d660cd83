package dev.lambdalab.testbed.stack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a CloudFormation/SAM template, YAML or JSON, keeping intrinsics as {@link Intrinsic}s whichever form they
 * are written in: the short form ({@code !Ref X}, {@code !GetAtt X.Endpoint}) and the long form
 * ({@code {"Ref": "X"}}, {@code Fn::GetAtt: [X, Endpoint]}) read the same, as CloudFormation treats them ("Intrinsic
 * function reference"). A {@code GetAtt}'s argument is always the dotted text ({@code "X.Endpoint"}).
 */
public final class CloudFormationYaml {

    /** An intrinsic function as written: {@code !GetAtt Proxy.Endpoint} is {@code Intrinsic("GetAtt", "Proxy.Endpoint")}. */
    public record Intrinsic(String function, Object argument) {
    }

    private static final String LONG_FORM_PREFIX = "Fn::";

    private static final List<String> FUNCTIONS = List.of("Ref", "GetAtt", "Sub", "If", "Equals", "Not", "And", "Or",
            "Select", "Split", "GetAZs", "Join", "FindInMap", "Base64", "Condition", "ImportValue", "Cidr");

    private CloudFormationYaml() {
    }

    /**
     * The template's tree: mappings, lists, scalars and {@link Intrinsic}s.
     *
     * @throws IOException when the file cannot be read
     * @throws IllegalArgumentException when it is not YAML or JSON, or its top level is not a mapping
     */
    @SuppressWarnings("unchecked") // checked just below
    public static Map<String, Object> load(Path file) throws IOException {
        Object root;
        try (Reader reader = Files.newBufferedReader(file)) {
            root = file.getFileName().toString().endsWith(".json")
                    ? new ObjectMapper().readValue(reader, Object.class) // JSON may be tab-indented, which YAML refuses
                    : new Yaml(new Constructor()).load(reader);
        } catch (JsonProcessingException | YAMLException e) {
            throw new IllegalArgumentException(file + " is not valid " + (file.toString().endsWith(".json") ? "JSON"
                    : "YAML") + ": " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (root != null && !(root instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(file + " is not a CloudFormation template: its top level is not a mapping");
        }
        return (Map<String, Object>) normalize(root);
    }

    /** Long-form intrinsics as {@link Intrinsic}s, and every {@code GetAtt} argument as dotted text. */
    private static Object normalize(Object node) {
        if (node instanceof Intrinsic intrinsic) {
            Object argument = normalize(intrinsic.argument());
            return new Intrinsic(intrinsic.function(), "GetAtt".equals(intrinsic.function()) ? dotted(argument)
                    : argument);
        }
        if (node instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(item -> copy.add(normalize(item)));
            return copy;
        }
        if (node instanceof Map<?, ?> map) {
            if (map.size() == 1) {
                Map.Entry<?, ?> only = map.entrySet().iterator().next();
                String key = String.valueOf(only.getKey());
                // "Condition" only with a name: an IAM policy's Condition block is a mapping, and stays one.
                if (key.equals("Ref") || key.equals("Condition") && only.getValue() instanceof String) {
                    return new Intrinsic(key, only.getValue());
                }
                if (key.startsWith(LONG_FORM_PREFIX) && FUNCTIONS.contains(key.substring(LONG_FORM_PREFIX.length()))) {
                    return normalize(new Intrinsic(key.substring(LONG_FORM_PREFIX.length()), only.getValue()));
                }
            }
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((key, value) -> copy.put(String.valueOf(key), normalize(value)));
            return copy;
        }
        return node;
    }

    private static Object dotted(Object argument) {
        return argument instanceof List<?> parts && parts.stream().allMatch(String.class::isInstance)
                ? String.join(".", parts.stream().map(String.class::cast).toList()) : argument;
    }

    private static final class Constructor extends SafeConstructor {
        Constructor() {
            super(new LoaderOptions());
            for (String function : FUNCTIONS) {
                yamlConstructors.put(new Tag("!" + function), new AbstractConstruct() {
                    @Override
                    public Object construct(Node node) {
                        Object argument;
                        if (node instanceof ScalarNode scalar) {
                            argument = constructScalar(scalar);
                        } else if (node instanceof SequenceNode sequence) {
                            argument = constructSequence(sequence);
                        } else {
                            argument = constructMapping((MappingNode) node);
                        }
                        return new Intrinsic(function, argument);
                    }
                });
            }
        }
    }
}
