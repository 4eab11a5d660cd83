package dev.lambdalab.testbed.aws;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Output;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudformation.model.Stack;

/**
 * What the experiment needs from a deployed stack of template.yaml: its outputs (the two URLs, the
 * database and proxy, the functions) and the parameters that set the limits.
 *
 * @param maxConnections the MaxConnections parameter (the database's max_connections)
 * @param maxConnectionsPercent the MaxConnectionsPercent parameter (the proxy's share of it)
 * @param parameters every parameter the stack was deployed with, as DescribeStacks gives them (NoEcho ones masked)
 */
public record StackOutputs(String stackName, String brokenUrl, String fixedUrl, String databaseInstanceId,
        String proxyName, String brokenFunctionName, String fixedFunctionName, int maxConnections,
        int maxConnectionsPercent, Map<String, String> parameters) {

    public StackOutputs {
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** The outputs template.yaml declares and the experiment reads. */
    public static final List<String> REQUIRED = List.of("BrokenUrl", "FixedUrl", "DatabaseInstanceId", "ProxyName",
            "BrokenFunctionName", "FixedFunctionName");

    /**
     * Reads the stack.
     *
     * @throws AwsExperimentException when the stack does not exist or lacks outputs, or AWS cannot be reached
     */
    public static StackOutputs read(CloudFormationClient cloudFormation, String stackName, String region) {
        Stack stack;
        try {
            List<Stack> stacks = cloudFormation.describeStacks(request -> request.stackName(stackName)).stacks();
            if (stacks.isEmpty()) {
                throw new AwsExperimentException("stack " + stackName + " does not exist in region " + region, null);
            }
            stack = stacks.get(0);
        } catch (SdkException e) {
            throw AwsExperimentException.from(e, stackName, region);
        }
        return from(stackName, stack.outputs(), stack.parameters());
    }

    /**
     * The outputs and parameters of a stack.
     *
     * @throws AwsExperimentException naming every missing output
     */
    public static StackOutputs from(String stackName, List<Output> outputs, List<Parameter> parameters) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Output output : outputs) {
            values.put(output.outputKey(), output.outputValue());
        }
        List<String> missing = new ArrayList<>();
        for (String key : REQUIRED) {
            if (values.get(key) == null || values.get(key).isBlank()) {
                missing.add(key);
            }
        }
        if (!missing.isEmpty()) {
            throw new AwsExperimentException("stack " + stackName + " has no output " + String.join(", ", missing)
                    + ": is it a stack of this repository's template.yaml?", null);
        }
        Map<String, String> parameterValues = new LinkedHashMap<>();
        for (Parameter parameter : parameters) {
            parameterValues.put(parameter.parameterKey(), parameter.parameterValue());
        }
        return new StackOutputs(stackName, values.get("BrokenUrl"), values.get("FixedUrl"),
                values.get("DatabaseInstanceId"), values.get("ProxyName"), values.get("BrokenFunctionName"),
                values.get("FixedFunctionName"), integer(parameterValues, "MaxConnections", 30),
                integer(parameterValues, "MaxConnectionsPercent", 50), parameterValues);
    }

    private static int integer(Map<String, String> parameters, String key, int otherwise) {
        try {
            return Integer.parseInt(parameters.getOrDefault(key, Integer.toString(otherwise)).trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /** The proxy's database connections: MaxConnectionsPercent of max_connections. */
    public int proxyDatabaseConnections() {
        return Math.max(1, maxConnections * maxConnectionsPercent / 100);
    }
}
