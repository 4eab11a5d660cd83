package dev.lambdalab.testbed.stack;

import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A function's Lambda Managed Instances settings, as a SAM template gives them: its {@code CapacityProviderConfig},
 * its {@code FunctionScalingConfig}, and its capacity provider's {@code ScalingConfig}, with AWS's defaults for what
 * it leaves out ("Java runtime for Lambda Managed Instances": 32 threads per vCPU; ExecutionEnvironmentMemoryGiBPerVCpu
 * 2; "Scaling Lambda Managed Instances": 3 environments at publish).
 *
 * @param concurrency PerExecutionEnvironmentMaxConcurrency, or 32 per vCPU
 * @param vcpus the vCPUs of one environment: MemorySize / 1024 / ExecutionEnvironmentMemoryGiBPerVCpu
 * @param minEnvironments MinExecutionEnvironments, or 3
 * @param maxEnvironments MaxExecutionEnvironments, when set
 * @param providerMaxVcpus the capacity provider's MaxVCpuCount, when set
 * @param targetCpuPercent the capacity provider's AverageCPUUtilization target, when set
 */
public record ManagedSpec(int concurrency, int vcpus, int minEnvironments, OptionalInt maxEnvironments,
        OptionalInt providerMaxVcpus, OptionalInt targetCpuPercent) {

    static final int JAVA_CONCURRENCY_PER_VCPU = 32;
    static final double DEFAULT_GIB_PER_VCPU = 2;
    static final int DEFAULT_MIN_ENVIRONMENTS = 3;

    /**
     * The most environments the function can have: MaxExecutionEnvironments, else as many as the capacity provider's
     * MaxVCpuCount holds; empty when neither bounds it.
     */
    public OptionalInt environmentBound() {
        if (maxEnvironments.isPresent()) {
            return maxEnvironments;
        }
        return providerMaxVcpus.isPresent() ? OptionalInt.of(Math.max(1, providerMaxVcpus.getAsInt() / vcpus))
                : OptionalInt.empty();
    }

    /** Where {@link #environmentBound()} comes from, for the check's lines. */
    public String environmentBoundSource() {
        if (maxEnvironments.isPresent()) {
            return "MaxExecutionEnvironments";
        }
        return providerMaxVcpus.isPresent() ? String.format(Locale.ROOT, "capacity provider MaxVCpuCount %d / %d vCPU",
                providerMaxVcpus.getAsInt(), vcpus) : "nothing";
    }

    /** Reads a function's settings; empty-handed functions (no CapacityProviderConfig) are classic and get none. */
    static ManagedSpec of(StackTemplate template, Map<String, Object> function, int memoryMb) {
        Map<String, Object> config = StackTemplate.map(function.get("CapacityProviderConfig"));
        double gibPerVcpu = template.text(config.get("ExecutionEnvironmentMemoryGiBPerVCpu")).map(Double::parseDouble)
                .orElse(DEFAULT_GIB_PER_VCPU);
        int vcpus = Math.max(1, (int) Math.floor(memoryMb / 1024.0 / gibPerVcpu));
        int concurrency = template.text(config.get("PerExecutionEnvironmentMaxConcurrency")).map(Integer::parseInt)
                .orElse(JAVA_CONCURRENCY_PER_VCPU * vcpus);
        Map<String, Object> scaling = StackTemplate.map(function.get("FunctionScalingConfig"));
        int min = template.text(scaling.get("MinExecutionEnvironments")).map(Integer::parseInt)
                .orElse(DEFAULT_MIN_ENVIRONMENTS);
        OptionalInt max = number(template, scaling.get("MaxExecutionEnvironments"));
        Map<String, Object> provider = providerOf(template, config.get("Arn"));
        Map<String, Object> providerScaling = StackTemplate.map(provider.get("ScalingConfig"));
        return new ManagedSpec(concurrency, vcpus, min, max, number(template, providerScaling.get("MaxVCpuCount")),
                number(template, providerScaling.get("AverageCPUUtilization")));
    }

    /** The properties of the capacity provider an Arn names ({@code !GetAtt Provider.Arn}, {@code !Ref}), or none. */
    private static Map<String, Object> providerOf(StackTemplate template, Object arn) {
        if (arn instanceof CloudFormationYaml.Intrinsic intrinsic) {
            String id = String.valueOf(intrinsic.argument() instanceof java.util.List<?> list && !list.isEmpty()
                    ? list.get(0) : intrinsic.argument()).split("\\.")[0];
            Map<String, Object> resource = template.resources("AWS::Serverless::CapacityProvider").get(id);
            if (resource == null) {
                resource = template.resources("AWS::Lambda::CapacityProvider").get(id);
            }
            return resource == null ? Map.of() : StackTemplate.map(resource.get("Properties"));
        }
        return Map.of();
    }

    private static OptionalInt number(StackTemplate template, Object value) {
        return template.text(value).map(text -> OptionalInt.of((int) Double.parseDouble(text))).orElse(OptionalInt.empty());
    }
}
