package dev.lambdalab.testbed;

import dev.lambdalab.testbed.db.LabDatabase;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.Isolation;
import dev.lambdalab.testbed.lambda.classloader.SandboxSocketFactory;
import dev.lambdalab.testbed.lambda.process.JavaRuntime;
import dev.lambdalab.testbed.lambda.process.JvmProfile;
import dev.lambdalab.testbed.proxy.Proxy;
import dev.lambdalab.testbed.proxy.ProxyKind;
import dev.lambdalab.testbed.stack.FunctionSpec;
import dev.lambdalab.testbed.stack.TemplateValues;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** How a {@link TestBed} makes its emulated functions: their variables, and the template's values when it has one. */
final class LabFunctions {

    private LabFunctions() {
    }

    /** See {@link TestBed#environment(Proxy, Map)}. */
    static Map<String, String> environment(LabDatabase lab, Isolation isolation, Proxy proxy,
            Map<String, String> extra) {
        Map<String, String> environment = new LinkedHashMap<>(lab.directEnvironment());
        if (proxy != null) {
            environment.put("DB_HOST", proxy.host());
            environment.put("DB_PORT", Integer.toString(proxy.port()));
            if (proxy.kind() == ProxyKind.PGBOUNCER) {
                // PgBouncer 1.18 in transaction mode keeps no server-side prepared statement across
                // transactions (the README's pgbouncer=true). RDS Proxy multiplexes them: pgjdbc's default stays.
                environment.put("DB_PREPARE_THRESHOLD", "0");
            }
        }
        Objects.requireNonNull(extra, "extra");
        environment.putAll(extra);
        if (isolation == Isolation.CLASSLOADER) {
            // The sandbox's socket factory, besides whatever pgjdbc properties the scenario sets.
            String own = extra.get("DB_JDBC_PARAMS");
            environment.put("DB_JDBC_PARAMS", own == null || own.isBlank() ? SandboxSocketFactory.PGJDBC_PROPERTY
                    : own + "&" + SandboxSocketFactory.PGJDBC_PROPERTY);
        }
        return environment;
    }

    /** See {@link TestBed#function(Variant, ExecutionModel, Map)}. */
    static EmulatedFunction function(Variant variant, ExecutionModel model, Map<String, String> environment,
            Isolation isolation, JvmProfile jvmProfile, Optional<TemplateValues> template) {
        Optional<FunctionSpec> deployed = template.flatMap(values -> values.function(variant.handlerClass(),
                model == ExecutionModel.MANAGED_INSTANCES));
        Map<String, String> variables = new LinkedHashMap<>();
        deployed.ifPresent(spec -> variables.putAll(TemplateValues.portableVariables(spec)));
        variables.putAll(environment);
        EmulatedFunction function = new EmulatedFunction("lab-" + variant.label(), variant.handlerClass())
                .withEnvironment(variables).withIsolation(isolation).withJvmProfile(jvmProfile);
        deployed.ifPresent(spec -> {
            function.withMemoryMb(spec.memoryMb()).withTimeout(Duration.ofSeconds(spec.timeoutSeconds()));
            spec.reservedConcurrency().ifPresent(function::withReservedConcurrency);
            if (JavaRuntime.wantedFeature(spec.runtime()).isPresent()) {
                // The template's runtime: process environments run on that JDK when one is installed (class loaders
                // share the test bed's JVM whatever it says). The functions' jar is release-17 bytecode.
                function.withJavaRuntime(JavaRuntime.forLambdaRuntime(spec.runtime(), Variant.CLASS_FILE_RELEASE));
            }
        });
        return function;
    }
}
