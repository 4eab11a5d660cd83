package dev.lambdalab.testbed.lambda;

import dev.lambdalab.testbed.lambda.process.EnvironmentJvm;
import dev.lambdalab.testbed.lambda.process.JavaRuntime;
import dev.lambdalab.testbed.lambda.process.JvmProfile;
import dev.lambdalab.testbed.lambda.process.ProcessRuntime;
import dev.lambdalab.testbed.lambda.sandbox.FunctionCode;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What an {@link EmulatedFunction} runs with, fixed when it starts: the fields of template.yaml's
 * {@code AWS::Serverless::Function} (FunctionName, Handler, Environment, MemorySize, Timeout,
 * ReservedConcurrentExecutions, SnapStart) and the emulator's own choices (isolation, JVM profile, idle reclaim).
 * Built by {@link Builder}, which checks each value as it is set, with the limits Lambda documents
 * ("Lambda quotas": memory 128 to 10,240 MB, timeout up to 900 s).
 *
 * @param name the function name
 * @param handlerClass the handler's class, a RequestHandler with a no-argument constructor
 * @param code the function's classes
 * @param environment the variables of template.yaml's Environment.Variables (none of Lambda's own)
 * @param memoryMb MemorySize; only reported, the emulator does not cap memory
 * @param timeout Timeout of an invocation
 * @param initTimeout how long init may take (Lambda: 10 s)
 * @param reservedConcurrency ReservedConcurrentExecutions, when set
 * @param accountConcurrency the account's concurrency available to an unreserved function
 * @param idleReclaim after how long idle an environment is reclaimed, when ever
 * @param region AWS_REGION
 * @param isolation class loaders in this JVM, or a JVM process per environment
 * @param jvmProfile the flags of process environments' JVMs
 * @param jvmOptions extra flags for process environments' JVMs
 * @param snapStart whether cold starts restore a snapshot
 * @param managedInstances the second execution model, Lambda Managed Instances (many invocations per environment);
 *     empty for classic Lambda (one at a time)
 * @param javaRuntime the Lambda runtime ({@code java21}) and the JDK a process environment runs it on
 */
public record FunctionConfig(String name, String handlerClass, FunctionCode code, Map<String, String> environment,
        int memoryMb, Duration timeout, Duration initTimeout, OptionalInt reservedConcurrency, int accountConcurrency,
        Optional<Duration> idleReclaim, String region, Isolation isolation, JvmProfile jvmProfile,
        List<String> jvmOptions, SnapStart snapStart, Optional<ManagedInstances> managedInstances,
        JavaRuntime javaRuntime) {

    public FunctionConfig {
        environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        jvmOptions = List.copyOf(jvmOptions);
    }

    /** Invocations one environment runs at once: 1, or PerExecutionEnvironmentMaxConcurrency on Managed Instances. */
    public int perEnvironmentConcurrency() {
        return managedInstances.map(ManagedInstances::perEnvironmentMaxConcurrency).orElse(1);
    }

    /** The concurrency limit that applies: the reserved concurrency if set, else the account's. */
    public int concurrencyLimit() {
        return reservedConcurrency.orElse(accountConcurrency);
    }

    /**
     * Every variable an environment starts with: the function's own, then what Lambda sets in every environment
     * ("Defined runtime environment variables"). The log stream's name is added per environment.
     */
    Map<String, String> lambdaVariables() {
        Map<String, String> variables = new LinkedHashMap<>(environment);
        variables.put("AWS_LAMBDA_FUNCTION_NAME", name);
        variables.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        variables.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(memoryMb));
        if (snapStart == SnapStart.OFF) {
            // Not in SnapStart functions ("Monitoring for Lambda SnapStart"): the snapshot would give every copy one.
            variables.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + name);
        }
        variables.put("AWS_REGION", region);
        variables.put("AWS_EXECUTION_ENV", "AWS_Lambda_" + javaRuntime.lambdaRuntime());
        // Managed Instances: how many runtime threads to start. Lambda sets it there (aws-lambda-go pull request 600:
        // "set by Lambda when a function is configured to use Managed Instances"); AWS's Java runtime client reads it
        // (ReservedRuntimeEnvironmentVariables.AWS_LAMBDA_MAX_CONCURRENCY), and so does shared-db to size its pool.
        managedInstances.ifPresent(managed -> variables.put("AWS_LAMBDA_MAX_CONCURRENCY",
                Integer.toString(managed.perEnvironmentMaxConcurrency())));
        return Map.copyOf(variables);
    }

    /**
     * The JVM of the function's environments in process isolation, on this machine's runtime client: its own
     * unpacked package, or the project's functions.jar for the project's packages.
     */
    EnvironmentJvm environmentJvm() {
        ProcessRuntime runtime = ProcessRuntime.get();
        return new EnvironmentJvm(runtime, code.deployedTaskRoot().orElseGet(runtime::projectTaskRoot), javaRuntime,
                handlerClass, memoryMb, jvmProfile, jvmOptions);
    }

    /** The Lambda runtime of the project's template, which this JVM stands for unless a function names another. */
    public static final String DEFAULT_RUNTIME = "java25";

    /** The mutable side: each setter checks its value and names the field, the bad value and what is allowed. */
    public static final class Builder {
        private final String name;
        private final String handlerClass;
        private FunctionCode code;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private int memoryMb = 512;
        private Duration timeout = Duration.ofSeconds(15);
        private Duration initTimeout = Duration.ofSeconds(10);
        private OptionalInt reservedConcurrency = OptionalInt.empty();
        private int accountConcurrency = 1000;
        private Duration idleReclaim;
        private String region = "us-east-1";
        private Isolation isolation = Isolation.CLASSLOADER;
        private JvmProfile jvmProfile = JvmProfile.fromEnvironment();
        private List<String> jvmOptions = List.of();
        private SnapStart snapStart = SnapStart.OFF;
        private ManagedInstances managedInstances;
        private JavaRuntime javaRuntime;

        public Builder(String name, String handlerClass) {
            this.name = requireText(name, "name");
            this.handlerClass = requireText(handlerClass, "handlerClass");
            if (!name.matches("[A-Za-z0-9_-]{1,64}")) {
                throw new IllegalArgumentException("name must be 1 to 64 letters, digits, '-' or '_', got \"" + name
                        + "\"");
            }
        }

        public String name() {
            return name;
        }

        public Builder code(FunctionCode code) {
            this.code = Objects.requireNonNull(code, "code");
            return this;
        }

        public Builder environmentVariable(String key, String value) {
            requireText(key, "key");
            if (key.startsWith("AWS_LAMBDA_") || key.equals("AWS_REGION")) {
                throw new IllegalArgumentException("environment variable " + key + " is reserved: Lambda sets it");
            }
            environment.put(key, Objects.requireNonNull(value, "value of " + key));
            return this;
        }

        public Builder memoryMb(int memoryMb) {
            if (memoryMb < 128 || memoryMb > 10_240) {
                throw new IllegalArgumentException("memoryMb must be from 128 to 10240, got " + memoryMb);
            }
            this.memoryMb = memoryMb;
            return this;
        }

        /** From 100 ms (below Lambda's 1 s minimum, for fast tests) to 900 s. */
        public Builder timeout(Duration timeout) {
            this.timeout = within(timeout, "timeout");
            return this;
        }

        public Builder initTimeout(Duration initTimeout) {
            this.initTimeout = within(initTimeout, "initTimeout");
            return this;
        }

        public Builder reservedConcurrency(int reservedConcurrency) {
            if (reservedConcurrency < 0 || reservedConcurrency > 10_000) {
                throw new IllegalArgumentException("reservedConcurrency must be from 0 to 10000, got "
                        + reservedConcurrency);
            }
            this.reservedConcurrency = OptionalInt.of(reservedConcurrency);
            return this;
        }

        public Builder accountConcurrency(int accountConcurrency) {
            if (accountConcurrency < 1 || accountConcurrency > 100_000) {
                throw new IllegalArgumentException("accountConcurrency must be from 1 to 100000, got "
                        + accountConcurrency);
            }
            this.accountConcurrency = accountConcurrency;
            return this;
        }

        public Builder idleReclaim(Duration idleReclaim) {
            Objects.requireNonNull(idleReclaim, "idleReclaim");
            if (idleReclaim.toMillis() < 10) {
                throw new IllegalArgumentException("idleReclaim must be at least 10ms, got " + idleReclaim.toMillis()
                        + "ms");
            }
            this.idleReclaim = idleReclaim;
            return this;
        }

        public Builder region(String region) {
            this.region = requireText(region, "region");
            return this;
        }

        public Builder isolation(Isolation isolation) {
            this.isolation = Objects.requireNonNull(isolation, "isolation");
            return this;
        }

        public Builder jvmProfile(JvmProfile jvmProfile) {
            this.jvmProfile = Objects.requireNonNull(jvmProfile, "jvmProfile");
            return this;
        }

        public Builder jvmOptions(String... options) {
            for (String option : options) {
                if (option == null || !option.startsWith("-")) {
                    throw new IllegalArgumentException("JVM options start with '-', got \"" + option + "\"");
                }
            }
            this.jvmOptions = List.of(options);
            return this;
        }

        public Builder snapStart(SnapStart snapStart) {
            this.snapStart = Objects.requireNonNull(snapStart, "snapStart");
            return this;
        }

        /** The Lambda runtime and the JDK its process environments run on; default: java25 (the template's) on this JVM. */
        public Builder javaRuntime(JavaRuntime javaRuntime) {
            this.javaRuntime = Objects.requireNonNull(javaRuntime, "javaRuntime");
            return this;
        }

        /** Runs the function on Lambda Managed Instances: environments of many threads, started ahead of traffic. */
        public Builder managedInstances(ManagedInstances managedInstances) {
            this.managedInstances = Objects.requireNonNull(managedInstances, "managedInstances");
            return this;
        }

        /**
         * The configuration to start with; the project's own functions and shared-db when no code was given.
         *
         * @throws IllegalStateException when SnapStart is asked for without process isolation, or with Managed
         *     Instances
         */
        public FunctionConfig build() {
            if (snapStart != SnapStart.OFF && isolation != Isolation.PROCESS) {
                throw new IllegalStateException("SnapStart needs process isolation: the runtime client runs its hooks");
            }
            if (isolation == Isolation.CLASSLOADER && code != null && !code.loadableHere()) {
                throw new IllegalStateException("function " + name + " runs from its own package (" + code.description()
                        + "), in process isolation only: AWS's runtime client loads it as Lambda does; the class-loader"
                        + " isolation runs the project's own handlers");
            }
            if (snapStart != SnapStart.OFF && managedInstances != null) {
                throw new IllegalStateException("SnapStart and Managed Instances exclude each other here: Managed"
                        + " Instances start their environments when the version is published, with no cold start for a"
                        + " snapshot to shorten");
            }
            return peek();
        }

        /** What was set so far, whether or not it may start yet. */
        public FunctionConfig peek() {
            return new FunctionConfig(name, handlerClass, code != null ? code : FunctionCode.project(), environment,
                    memoryMb, timeout, initTimeout, reservedConcurrency, accountConcurrency,
                    Optional.ofNullable(idleReclaim), region, isolation, jvmProfile, jvmOptions, snapStart,
                    Optional.ofNullable(managedInstances),
                    javaRuntime != null ? javaRuntime : JavaRuntime.current(DEFAULT_RUNTIME));
        }

        private static Duration within(Duration value, String field) {
            Objects.requireNonNull(value, field);
            if (value.toMillis() < 100 || value.compareTo(Duration.ofSeconds(900)) > 0) {
                throw new IllegalArgumentException(field + " must be from 100ms to 900s, got " + value.toMillis()
                        + "ms");
            }
            return value;
        }

        private static String requireText(String value, String what) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(what + " must not be blank");
            }
            return value;
        }
    }
}
