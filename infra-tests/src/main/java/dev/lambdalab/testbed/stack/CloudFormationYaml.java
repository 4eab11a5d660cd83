package dev.lambdalab.testbed.stack;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** Reads a CloudFormation/SAM template, keeping short-form intrinsics ({@code !Ref X}) as {@link Intrinsic}. */
public final class CloudFormationYaml {

    /** An intrinsic function as written: {@code !GetAtt Proxy.Endpoint} is {@code Intrinsic("GetAtt", "Proxy.Endpoint")}. */
    public record Intrinsic(String function, Object argument) {
    }

    private static final List<String> FUNCTIONS = List.of("Ref", "GetAtt", "Sub", "If", "Equals", "Not", "And", "Or",
            "Select", "Split", "GetAZs", "Join", "FindInMap", "Base64", "Condition", "ImportValue", "Cidr");

    private CloudFormationYaml() {
    }

    @SuppressWarnings("unchecked") // a template's top level is a mapping
    public static Map<String, Object> load(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file)) {
            return (Map<String, Object>) new Yaml(new Constructor()).load(reader);
        }
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
