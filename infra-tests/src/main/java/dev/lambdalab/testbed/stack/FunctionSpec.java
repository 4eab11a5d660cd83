package dev.lambdalab.testbed.stack;

import dev.lambdalab.db.DbConfigurationException;
import dev.lambdalab.db.DbSettings;
import dev.lambdalab.testbed.stack.CloudFormationYaml.Intrinsic;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One {@code AWS::Serverless::Function} of a template, Globals merged in and parameters resolved.
 *
 * @param name the logical id
 * @param runtime Runtime ({@code java25}), empty when neither the function nor Globals sets one
 * @param handler the handler, {@code Class::method}
 * @param memoryMb MemorySize
 * @param timeoutSeconds Timeout
 * @param reservedConcurrency ReservedConcurrentExecutions, empty when unreserved
 * @param variables Environment.Variables that resolve to text (resource attributes are left out)
 * @param target where DB_HOST points
 * @param poolPerInvocation from {@code Metadata.ConnectionBudget.PoolPerInvocation}: the function builds a pool of
 *     this size on every invocation and never closes it (0 when it does not)
 * @param brokenOnPurpose from {@code Metadata.ConnectionBudget.BrokenOnPurpose}: a demonstration of the mistake,
 *     whose budget {@code testbed check} reports but does not fail
 * @param declaredConnections from {@code Metadata.ConnectionBudget.Connections}: the most connections the function
 *     ever holds in all, declared where environments times pool says nothing (a deploy-time function that
 *     CloudFormation invokes once); empty when not declared
 * @param snapStart {@code SnapStart: ApplyOn: PublishedVersions}: every cold start restores a snapshot taken
 *     after init (the emulator's {@code SnapStart.SNAPSHOT})
 * @param managedInstances its Lambda Managed Instances settings ({@code CapacityProviderConfig}); empty for a
 *     classic function
 */
public record FunctionSpec(String name, String runtime, String handler, int memoryMb, int timeoutSeconds,
        OptionalInt reservedConcurrency, Map<String, String> variables, Target target, int poolPerInvocation,
        boolean brokenOnPurpose, OptionalInt declaredConnections, boolean snapStart,
        Optional<ManagedSpec> managedInstances) {

    /** Lambda's defaults when a template sets neither the function nor Globals (AWS::Serverless::Function). */
    static final int DEFAULT_MEMORY_MB = 128;
    static final int DEFAULT_TIMEOUT_S = 3;

    /** Where a function's connections go. */
    public enum Target {
        /** DB_HOST is an RDS Proxy's endpoint. */
        PROXY,
        /** DB_HOST is the instance's endpoint. */
        DATABASE,
        /** DB_HOST is something else, or not set. */
        UNKNOWN
    }

    public FunctionSpec {
        variables = Map.copyOf(variables);
    }

    /**
     * The settings the function's code would read, parsed and checked by shared-db's catalogue: its variables,
     * with placeholders for where the database is and how to log in, which the template only knows once deployed.
     *
     * @throws DbConfigurationException naming every variable the catalogue refuses
     */
    public DbSettings dbSettings() {
        Map<String, String> settings = new LinkedHashMap<>(TemplateValues.portableVariables(this));
        settings.putAll(Map.of("DB_AUTH", "password", "DB_HOST", "database.invalid", "DB_USER", "placeholder",
                "DB_PASSWORD", "placeholder"));
        // What Lambda sets on Managed Instances, so that the pool's default is what it would be there.
        managedInstances.ifPresent(managed -> settings.put("AWS_LAMBDA_MAX_CONCURRENCY",
                Integer.toString(managed.concurrency())));
        return DbSettings.from(settings);
    }

    /** Reads every function of a template that its parameters deploy (a resource's Condition holds). */
    static Map<String, FunctionSpec> of(StackTemplate template) {
        return of(template, false);
    }

    /**
     * Reads every function of a template, with {@code optIn} also those a parameter leaves out (the SnapStart
     * function): what the emulator runs when asked for it, as it would be deployed.
     */
    static Map<String, FunctionSpec> of(StackTemplate template, boolean optIn) {
        Map<String, FunctionSpec> functions = new LinkedHashMap<>();
        Map<String, Object> globals = template.functionGlobals();
        template.resources("AWS::Serverless::Function").forEach((name, resource) -> {
            if (!optIn && resource.get("Condition") != null
                    && !template.condition(String.valueOf(resource.get("Condition")))) {
                return; // not deployed with these parameters
            }
            Map<String, Object> properties = StackTemplate.map(resource.get("Properties"));
            Map<String, Object> merged = new LinkedHashMap<>(globals);
            merged.putAll(properties);
            Map<String, Object> rawVariables = new LinkedHashMap<>(StackTemplate.map(
                    StackTemplate.map(globals.get("Environment")).get("Variables")));
            rawVariables.putAll(StackTemplate.map(StackTemplate.map(properties.get("Environment")).get("Variables")));
            Map<String, String> variables = new LinkedHashMap<>();
            rawVariables.forEach((key, value) -> template.text(value).ifPresent(text -> variables.put(key, text)));
            Map<String, Object> budget = StackTemplate.map(StackTemplate.map(resource.get("Metadata"))
                    .get("ConnectionBudget"));
            Optional<String> reserved = template.text(merged.get("ReservedConcurrentExecutions"));
            int memoryMb = template.text(merged.get("MemorySize")).map(Integer::parseInt).orElse(DEFAULT_MEMORY_MB);
            functions.put(name, new FunctionSpec(name, template.text(merged.get("Runtime")).orElse(""),
                    template.text(merged.get("Handler")).orElse("?"), memoryMb,
                    template.text(merged.get("Timeout")).map(Integer::parseInt).orElse(DEFAULT_TIMEOUT_S),
                    reserved.map(value -> OptionalInt.of(Integer.parseInt(value))).orElse(OptionalInt.empty()),
                    variables, target(template, template.resolve(rawVariables.get("DB_HOST"))),
                    budget.get("PoolPerInvocation") instanceof Number size ? size.intValue() : 0,
                    Boolean.TRUE.equals(budget.get("BrokenOnPurpose")),
                    budget.get("Connections") instanceof Number bound ? OptionalInt.of(bound.intValue())
                            : OptionalInt.empty(),
                    template.text(StackTemplate.map(merged.get("SnapStart")).get("ApplyOn"))
                            .map("PublishedVersions"::equals).orElse(false),
                    merged.get("CapacityProviderConfig") == null ? Optional.empty()
                            : Optional.of(ManagedSpec.of(template, merged, memoryMb))));
        });
        return functions;
    }

    private static Target target(StackTemplate template, Object host) {
        if (host instanceof Intrinsic intrinsic && "GetAtt".equals(intrinsic.function())) {
            String resource = String.valueOf(intrinsic.argument()).split("\\.")[0];
            String type = template.typeOf(resource).orElse("");
            if (type.equals("AWS::RDS::DBProxy") || type.equals("AWS::RDS::DBProxyEndpoint")) {
                return Target.PROXY;
            }
            if (type.equals("AWS::RDS::DBInstance")) {
                return Target.DATABASE;
            }
        }
        return Target.UNKNOWN;
    }
}
