package dev.lambdalab.testbed.stack;

import dev.lambdalab.testbed.apigw.ApiRoute;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One {@code AWS::Serverless::Function} of a user's template as {@code testbed invoke} and {@code serve -t} run it:
 * Globals merged in, parameters and conditions applied, and its variables left as written (intrinsics included), for
 * the test bed to wire to its own endpoints.
 *
 * @param logicalId the function's logical id, which the commands name it by
 * @param runtime Runtime ({@code java21}), empty for a container image
 * @param handler Handler ({@code com.example.Handler::handleRequest})
 * @param packageType {@code Zip} or {@code Image}
 * @param codeUri CodeUri: a path relative to the template, or {@code s3://bucket/key}; empty when not set
 * @param memoryMb MemorySize, else Lambda's 128
 * @param timeoutSeconds Timeout, else Lambda's 3
 * @param reservedConcurrency ReservedConcurrentExecutions, when set
 * @param snapStart {@code SnapStart: ApplyOn: PublishedVersions}
 * @param managedInstances its Lambda Managed Instances settings, for a function with CapacityProviderConfig
 * @param variables Environment.Variables as written (Globals' first), values still template expressions
 * @param routes its HttpApi and Api events
 * @param layers how many Layers it names (Globals' included)
 */
public record AppFunction(String logicalId, Optional<String> runtime, String handler, String packageType,
        Optional<String> codeUri, int memoryMb, int timeoutSeconds, OptionalInt reservedConcurrency, boolean snapStart,
        Optional<ManagedSpec> managedInstances, Map<String, Object> variables, List<ApiRoute> routes, int layers) {

    public AppFunction {
        variables = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(variables));
        routes = List.copyOf(routes);
    }

    /** The handler's class: the part before {@code ::}. */
    public String handlerClass() {
        int at = handler.indexOf("::");
        return at < 0 ? handler : handler.substring(0, at);
    }

    /** Reads one function; Globals.Function gives what it leaves out. */
    static AppFunction of(StackTemplate template, String logicalId, Map<String, Object> resource) {
        Map<String, Object> globals = template.functionGlobals();
        Map<String, Object> properties = StackTemplate.map(resource.get("Properties"));
        Map<String, Object> merged = new LinkedHashMap<>(globals);
        merged.putAll(properties);
        Map<String, Object> variables = new LinkedHashMap<>(StackTemplate.map(StackTemplate.map(
                globals.get("Environment")).get("Variables")));
        variables.putAll(StackTemplate.map(StackTemplate.map(properties.get("Environment")).get("Variables")));
        int memoryMb = number(template, merged.get("MemorySize"), "MemorySize", logicalId)
                .orElse(FunctionSpec.DEFAULT_MEMORY_MB);
        return new AppFunction(logicalId, template.text(merged.get("Runtime")),
                template.text(merged.get("Handler")).orElse(""),
                template.text(merged.get("PackageType")).orElse("Zip"), codeUri(template, merged.get("CodeUri")),
                memoryMb, number(template, merged.get("Timeout"), "Timeout", logicalId)
                        .orElse(FunctionSpec.DEFAULT_TIMEOUT_S),
                number(template, merged.get("ReservedConcurrentExecutions"), "ReservedConcurrentExecutions", logicalId)
                        .map(OptionalInt::of).orElse(OptionalInt.empty()),
                template.text(StackTemplate.map(merged.get("SnapStart")).get("ApplyOn"))
                        .map("PublishedVersions"::equals).orElse(false),
                merged.get("CapacityProviderConfig") == null ? Optional.empty()
                        : Optional.of(ManagedSpec.of(template, merged, memoryMb)),
                variables, ApiEvents.routes(template, StackTemplate.map(properties.get("Events"))),
                StackTemplate.list(merged.get("Layers")).size());
    }

    /** CodeUri as text: a path, or an S3 location ({@code {Bucket, Key}} written as {@code s3://bucket/key}). */
    private static Optional<String> codeUri(StackTemplate template, Object value) {
        if (value instanceof Map<?, ?> location) {
            Map<String, Object> s3 = StackTemplate.map(location);
            return Optional.of("s3://" + template.text(s3.get("Bucket")).orElse("?") + "/"
                    + template.text(s3.get("Key")).orElse("?"));
        }
        return template.text(value);
    }

    private static Optional<Integer> number(StackTemplate template, Object value, String property, String function) {
        Optional<String> text = template.text(value);
        try {
            return text.map(t -> (int) Double.parseDouble(t));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("function " + function + ": " + property + " must be a number, got \""
                    + text.orElse("") + "\"", e);
        }
    }
}
