package dev.lambdalab.testbed.stack;

import dev.lambdalab.testbed.stack.CloudFormationYaml.Intrinsic;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Evaluates a template's value to text the way CloudFormation does at deploy time ("Intrinsic function reference":
 * {@code Ref}, {@code Fn::GetAtt}, {@code Fn::Sub}, {@code Fn::Join}, {@code Fn::Select}, {@code Fn::Split},
 * {@code Fn::If}, {@code Fn::FindInMap}, {@code Fn::Base64}, pseudo parameters), given what the stack's resources
 * stand for here ({@link Resources}). What only a deploy can know ({@code Fn::ImportValue}, a dynamic reference
 * {@code {{resolve:...}}}, a resource the caller does not stand in for) is {@link Unresolved}, with the reason.
 */
public final class TemplateExpressions {

    /** What a local run makes of the stack's resources: a {@code Ref} or an attribute of one, or empty. */
    public interface Resources {

        /** {@code !Ref Id} of a resource of this type (its physical id or ARN in AWS). */
        Optional<String> ref(String logicalId, String type);

        /** {@code !GetAtt Id.Attribute} ({@code attribute} may itself be dotted: {@code Endpoint.Address}). */
        Optional<String> attribute(String logicalId, String type, String attribute);
    }

    /** A value that cannot be known here, and why: {@code "!Ref OrdersQueue, an AWS::SQS::Queue"}. */
    public static final class Unresolved extends Exception {
        private static final long serialVersionUID = 1L;

        Unresolved(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The account id local runs use: the twelve zeros AWS's own examples and LocalStack use. */
    public static final String ACCOUNT_ID = "000000000000";

    private final StackTemplate template;
    private final Resources resources;
    private final String region;
    private final String stackName;

    /**
     * @param template the template, with its parameters' values
     * @param resources what its resources stand for here
     * @param region {@code AWS::Region}
     * @param stackName {@code AWS::StackName}
     */
    public TemplateExpressions(StackTemplate template, Resources resources, String region, String stackName) {
        this.template = Objects.requireNonNull(template, "template");
        this.resources = Objects.requireNonNull(resources, "resources");
        this.region = Objects.requireNonNull(region, "region");
        this.stackName = Objects.requireNonNull(stackName, "stackName");
    }

    /**
     * The value as text, or empty for {@code AWS::NoValue} (the property is left out).
     *
     * @throws Unresolved when part of it is known only to a deploy, or not to this run
     */
    public Optional<String> text(Object value) throws Unresolved {
        Object result = evaluate(value);
        if (result == StackTemplate.NO_VALUE) {
            return Optional.empty();
        }
        if (result instanceof List<?>) {
            throw new Unresolved("a list where text is expected");
        }
        return Optional.of((String) result);
    }

    /** String, List of evaluated values, or {@link StackTemplate#NO_VALUE}. */
    private Object evaluate(Object value) throws Unresolved {
        if (value == null) {
            return StackTemplate.NO_VALUE;
        }
        if (value instanceof String text) {
            if (text.contains("{{resolve:")) {
                throw new Unresolved("a dynamic reference (" + text + "), resolved only by CloudFormation");
            }
            return text;
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value instanceof Double d && d == Math.rint(d) ? Long.toString(d.longValue()) : String.valueOf(value);
        }
        if (value instanceof List<?> list) {
            List<Object> items = new ArrayList<>();
            for (Object item : list) {
                Object evaluated = evaluate(item);
                if (evaluated != StackTemplate.NO_VALUE) {
                    items.add(evaluated);
                }
            }
            return items;
        }
        if (value instanceof Intrinsic intrinsic) {
            return intrinsic(intrinsic);
        }
        throw new Unresolved("a mapping where a value is expected");
    }

    private Object intrinsic(Intrinsic intrinsic) throws Unresolved {
        Object argument = intrinsic.argument();
        return switch (intrinsic.function()) {
            case "Ref" -> ref(String.valueOf(argument));
            case "GetAtt" -> getAtt(String.valueOf(argument));
            case "Sub" -> sub(argument);
            case "If" -> {
                List<Object> arguments = arguments(intrinsic, 3);
                yield evaluate(template.condition(String.valueOf(arguments.get(0))) ? arguments.get(1) : arguments.get(2));
            }
            case "Join" -> {
                List<Object> arguments = arguments(intrinsic, 2);
                List<String> parts = new ArrayList<>();
                for (Object part : asList(evaluate(arguments.get(1)))) {
                    parts.add(textOf(part));
                }
                yield String.join(textOf(evaluate(arguments.get(0))), parts);
            }
            case "Select" -> {
                List<Object> arguments = arguments(intrinsic, 2);
                List<Object> items = asList(evaluate(arguments.get(1)));
                int index = Integer.parseInt(textOf(evaluate(arguments.get(0))));
                if (index < 0 || index >= items.size()) {
                    throw new Unresolved("Fn::Select index " + index + " is outside a list of " + items.size());
                }
                yield items.get(index);
            }
            case "Split" -> {
                List<Object> arguments = arguments(intrinsic, 2);
                yield new ArrayList<Object>(List.of(textOf(evaluate(arguments.get(1)))
                        .split(java.util.regex.Pattern.quote(textOf(evaluate(arguments.get(0)))), -1)));
            }
            case "FindInMap" -> {
                List<Object> arguments = arguments(intrinsic, 3);
                Object found = StackTemplate.map(StackTemplate.map(template.mappings()
                        .get(textOf(evaluate(arguments.get(0))))).get(textOf(evaluate(arguments.get(1)))))
                        .get(textOf(evaluate(arguments.get(2))));
                if (found == null) {
                    throw new Unresolved("Fn::FindInMap " + arguments + " finds nothing in Mappings");
                }
                yield evaluate(found);
            }
            case "Base64" -> Base64.getEncoder().encodeToString(textOf(evaluate(argument))
                    .getBytes(StandardCharsets.UTF_8));
            default -> throw new Unresolved("Fn::" + intrinsic.function() + ", which only a deploy evaluates");
        };
    }

    private Object ref(String name) throws Unresolved {
        switch (name) {
            case "AWS::NoValue":
                return StackTemplate.NO_VALUE;
            case "AWS::Region":
                return region;
            case "AWS::AccountId":
                return ACCOUNT_ID;
            case "AWS::StackName":
                return stackName;
            case "AWS::StackId":
                return "arn:aws:cloudformation:" + region + ":" + ACCOUNT_ID + ":stack/" + stackName
                        + "/00000000-0000-0000-0000-000000000000";
            case "AWS::Partition":
                return "aws";
            case "AWS::URLSuffix":
                return "amazonaws.com";
            case "AWS::NotificationARNs":
                return new ArrayList<>();
            default:
                break;
        }
        Map<String, String> parameters = template.parameters();
        if (parameters.containsKey(name)) {
            String value = parameters.get(name);
            String type = template.parameterType(name).orElse("String");
            return type.startsWith("List<") || type.equals("CommaDelimitedList")
                    ? new ArrayList<Object>(List.of(value.split(",", -1))) : value;
        }
        if (template.parameterType(name).isPresent()) {
            throw new Unresolved("parameter " + name + ", which has no Default: give it with --parameter-overrides "
                    + name + "=...");
        }
        Optional<String> type = template.typeOf(name);
        if (type.isEmpty()) {
            throw new Unresolved("!Ref " + name + ", which names no parameter or resource of the template");
        }
        return resources.ref(name, type.get()).orElseThrow(() -> new Unresolved("!Ref " + name + ", an " + type.get()));
    }

    private Object getAtt(String dotted) throws Unresolved {
        int dot = dotted.indexOf('.');
        if (dot < 0) {
            throw new Unresolved("!GetAtt " + dotted + " names no attribute");
        }
        String id = dotted.substring(0, dot);
        String attribute = dotted.substring(dot + 1);
        Optional<String> type = template.typeOf(id);
        if (type.isEmpty()) {
            throw new Unresolved("!GetAtt " + dotted + ", whose resource is not in the template");
        }
        return resources.attribute(id, type.get(), attribute).orElseThrow(() -> new Unresolved("!GetAtt " + dotted
                + " of an " + type.get()));
    }

    private Object sub(Object argument) throws Unresolved {
        String text;
        Map<String, Object> variables;
        if (argument instanceof String plain) {
            text = plain;
            variables = Map.of();
        } else if (argument instanceof List<?> list && list.size() == 2 && list.get(0) instanceof String first) {
            text = first;
            variables = StackTemplate.map(list.get(1));
        } else {
            throw new Unresolved("Fn::Sub takes a string, or a string and a mapping of variables");
        }
        String result;
        try {
            result = SubText.substitute(text, name -> Optional.of(variables.containsKey(name)
                    ? textOf(evaluate(variables.get(name)))
                    : textOf(name.contains(".") && !name.startsWith("AWS::") ? getAtt(name) : ref(name)))).orElseThrow();
        } catch (IllegalArgumentException e) {
            throw new Unresolved(e.getMessage());
        }
        if (result.contains("{{resolve:")) {
            throw new Unresolved("a dynamic reference (" + result + "), resolved only by CloudFormation");
        }
        return result;
    }

    private static List<Object> arguments(Intrinsic intrinsic, int count) throws Unresolved {
        if (!(intrinsic.argument() instanceof List<?> list) || list.size() != count) {
            throw new Unresolved("Fn::" + intrinsic.function() + " takes a list of " + count + ", got "
                    + intrinsic.argument());
        }
        return new ArrayList<>(list);
    }

    private static List<Object> asList(Object value) throws Unresolved {
        if (value instanceof List<?> list) {
            return new ArrayList<>(list);
        }
        throw new Unresolved("a list is expected, got " + value);
    }

    private static String textOf(Object value) throws Unresolved {
        if (value instanceof String text) {
            return text;
        }
        throw new Unresolved("text is expected, got " + (value == StackTemplate.NO_VALUE ? "AWS::NoValue" : value));
    }
}
