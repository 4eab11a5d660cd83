package dev.lambdalab.testbed.stack;

import dev.lambdalab.testbed.stack.CloudFormationYaml.Intrinsic;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A SAM template with its parameters' values: what {@code testbed check} and {@code --template} read. It
 * resolves what a local reading can (parameters, conditions, {@code !If}, {@code !Sub} of parameters,
 * {@code AWS::NoValue}, SAM's {@code Globals}) and leaves the rest (attributes of resources not yet created)
 * as {@link Intrinsic}s, which is enough to tell where a function connects.
 */
public final class StackTemplate {

    /** {@code !Ref AWS::NoValue}: the property is left out. */
    static final Object NO_VALUE = new Object() {
        @Override
        public String toString() {
            return "AWS::NoValue";
        }
    };

    private final Path file;
    private final Map<String, Object> root;
    private final Map<String, String> parameters;

    private StackTemplate(Path file, Map<String, Object> root, Map<String, String> parameters) {
        this.file = file;
        this.root = root;
        this.parameters = parameters;
    }

    /** Reads a template with its parameters' defaults. */
    public static StackTemplate load(Path file) throws IOException {
        Map<String, Object> root = CloudFormationYaml.load(file);
        if (root == null || !(root.get("Resources") instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(file + " is not a CloudFormation template: it has no Resources");
        }
        Map<String, String> defaults = new LinkedHashMap<>();
        map(root.get("Parameters")).forEach((name, declaration) -> {
            Object value = map(declaration).get("Default");
            if (value != null) {
                defaults.put(name, String.valueOf(value));
            }
        });
        return new StackTemplate(file, root, defaults);
    }

    /**
     * The template with one parameter's value, checked as CloudFormation would: the parameter must exist, and a
     * Number must be a number within MinValue..MaxValue, a value within AllowedValues.
     *
     * @throws IllegalArgumentException naming the parameter, the value and what is allowed
     */
    public StackTemplate withParameter(String name, String value) {
        Map<String, Object> declared = map(root.get("Parameters"));
        if (!declared.containsKey(name)) {
            throw new IllegalArgumentException("parameter " + name + " is not in " + file.getFileName()
                    + "; its parameters are " + String.join(", ", declared.keySet()));
        }
        Map<String, Object> declaration = map(declared.get(name));
        List<Object> allowed = list(declaration.get("AllowedValues"));
        if (!allowed.isEmpty() && allowed.stream().map(String::valueOf).noneMatch(value::equals)) {
            throw new IllegalArgumentException("parameter " + name + " must be one of " + allowed + ", got \"" + value
                    + "\"");
        }
        if ("Number".equals(declaration.get("Type"))) {
            double number;
            try {
                number = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("parameter " + name + " is a Number, got \"" + value + "\"", e);
            }
            Object min = declaration.get("MinValue");
            Object max = declaration.get("MaxValue");
            if ((min != null && number < ((Number) min).doubleValue())
                    || (max != null && number > ((Number) max).doubleValue())) {
                throw new IllegalArgumentException("parameter " + name + " must be from " + min + " to " + max + ", got "
                        + value);
            }
        }
        Map<String, String> values = new LinkedHashMap<>(parameters);
        values.put(name, value);
        return new StackTemplate(file, root, values);
    }

    public Path file() {
        return file;
    }

    /** Every parameter's value: its default, or what {@link #withParameter} gave. */
    public Map<String, String> parameters() {
        return Map.copyOf(parameters);
    }

    /** A parameter's declared Type ({@code String}, {@code Number}, {@code List<AWS::EC2::Subnet::Id>}), if declared. */
    public Optional<String> parameterType(String name) {
        return Optional.ofNullable(map(map(root.get("Parameters")).get(name)).get("Type")).map(String::valueOf);
    }

    /** The template's Mappings ({@code Fn::FindInMap}'s tables). */
    public Map<String, Object> mappings() {
        return map(root.get("Mappings"));
    }

    /** The directory the template is in: CodeUri paths are relative to it. */
    public Path directory() {
        Path parent = file.toAbsolutePath().getParent();
        return parent != null ? parent : Path.of(".").toAbsolutePath();
    }

    /** Every resource, by logical id, in the template's order. */
    public Map<String, Map<String, Object>> resources() {
        Map<String, Map<String, Object>> all = new LinkedHashMap<>();
        map(root.get("Resources")).forEach((name, resource) -> all.put(name, map(resource)));
        return all;
    }

    /** A parameter's value as a number. */
    public Optional<Integer> intParameter(String name) {
        return Optional.ofNullable(parameters.get(name)).map(value -> (int) Double.parseDouble(value));
    }

    /** The resources of a type, by logical id, in the template's order. */
    public Map<String, Map<String, Object>> resources(String type) {
        Map<String, Map<String, Object>> found = new LinkedHashMap<>();
        map(root.get("Resources")).forEach((name, resource) -> {
            if (type.equals(map(resource).get("Type"))) {
                found.put(name, map(resource));
            }
        });
        return found;
    }

    /** The logical id's resource type, if the template has it. */
    public Optional<String> typeOf(String logicalId) {
        return Optional.ofNullable(map(map(root.get("Resources")).get(logicalId)).get("Type")).map(String::valueOf);
    }

    /** SAM's {@code Globals.Function}, which every function inherits. */
    public Map<String, Object> functionGlobals() {
        return map(map(root.get("Globals")).get("Function"));
    }

    /**
     * A value with what can be resolved resolved: {@code Ref} of a parameter, {@code If}, {@code Sub} of
     * parameters, {@code AWS::NoValue} ({@link #NO_VALUE}); other intrinsics are returned as they are.
     */
    public Object resolve(Object value) {
        if (!(value instanceof Intrinsic intrinsic)) {
            return value;
        }
        return switch (intrinsic.function()) {
            case "Ref" -> {
                String name = String.valueOf(intrinsic.argument());
                if ("AWS::NoValue".equals(name)) {
                    yield NO_VALUE;
                }
                yield parameters.containsKey(name) ? parameters.get(name) : intrinsic;
            }
            case "If" -> {
                List<Object> arguments = list(intrinsic.argument());
                yield resolve(condition(String.valueOf(arguments.get(0))) ? arguments.get(1) : arguments.get(2));
            }
            case "Sub" -> intrinsic.argument() instanceof String text ? substitute(text, intrinsic) : intrinsic;
            default -> intrinsic;
        };
    }

    /** A value resolved to text, if it resolves at all. */
    public Optional<String> text(Object value) {
        Object resolved = resolve(value);
        return resolved == null || resolved == NO_VALUE || resolved instanceof Intrinsic ? Optional.empty()
                : Optional.of(String.valueOf(resolved));
    }

    /** Evaluates a named condition of the template's {@code Conditions}. */
    public boolean condition(String name) {
        Object definition = map(root.get("Conditions")).get(name);
        if (definition == null) {
            throw new IllegalArgumentException("condition " + name + " is not in " + file.getFileName());
        }
        return evaluate(definition);
    }

    private boolean evaluate(Object definition) {
        if (!(definition instanceof Intrinsic intrinsic)) {
            throw new IllegalArgumentException("not a condition: " + definition);
        }
        List<Object> arguments = intrinsic.argument() instanceof List<?> l ? new ArrayList<>(l) : List.of();
        return switch (intrinsic.function()) {
            case "Equals" -> valueForComparison(arguments.get(0)).equals(valueForComparison(arguments.get(1)));
            case "Not" -> !evaluate(arguments.get(0));
            case "And" -> arguments.stream().allMatch(this::evaluate);
            case "Or" -> arguments.stream().anyMatch(this::evaluate);
            case "Condition" -> condition(String.valueOf(intrinsic.argument()));
            default -> throw new IllegalArgumentException("condition function " + intrinsic.function()
                    + " is not supported here");
        };
    }

    private String valueForComparison(Object value) {
        if (value instanceof Intrinsic intrinsic && "Join".equals(intrinsic.function())) {
            List<Object> arguments = list(intrinsic.argument());
            Object parts = resolve(arguments.get(1));
            return parts instanceof String joined ? joined.replace(",", String.valueOf(arguments.get(0)))
                    : String.valueOf(parts);
        }
        Object resolved = resolve(value);
        return resolved instanceof Number number ? String.valueOf(number.intValue()) : String.valueOf(resolved);
    }

    private Object substitute(String text, Intrinsic original) {
        try {
            // A name that is not a parameter names a resource or a pseudo parameter: known only once deployed.
            return SubText.<RuntimeException>substitute(text, name -> Optional.ofNullable(parameters.get(name)))
                    .<Object>map(value -> value).orElse(original);
        } catch (IllegalArgumentException e) {
            return original;
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> ? (Map<String, Object>) value : Map.of();
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value) {
        return value instanceof List<?> ? (List<Object>) value : List.of();
    }
}
