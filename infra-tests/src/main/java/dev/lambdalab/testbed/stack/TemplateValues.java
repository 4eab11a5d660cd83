package dev.lambdalab.testbed.stack;

import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.stack.StackResources.ProxySpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a local run takes from template.yaml, so that what is tested is what is deployed: each function's memory,
 * timeout, reserved concurrency and variables (all but where the database is and how to log in, which are the
 * test bed's own), and the proxy's MaxConnectionsPercent, MaxIdleConnectionsPercent, ConnectionBorrowTimeout and
 * IdleClientTimeout. The test bed's own choices (the role's limit, the proxy's client limit, what a scenario sets
 * on purpose) still apply on top.
 */
public final class TemplateValues {

    /** Variables that say where the database is and how to log in: the test bed sets its own. */
    public static final Set<String> LOCAL_VARIABLES = Set.of("DATABASE_URL", "DB_HOST", "DB_PORT", "DB_NAME",
            "DB_USER", "DB_AUTH", "DB_PASSWORD", "DB_SECRET_ARN", "DB_SSLMODE", "DB_SSL_ROOT_CERT",
            "AWS_ENDPOINT_URL_SECRETS_MANAGER");

    private final Path file;
    private final Map<String, FunctionSpec> functions;
    private final Optional<ProxySpec> proxy;

    private TemplateValues(Path file, Map<String, FunctionSpec> functions, Optional<ProxySpec> proxy) {
        this.file = file;
        this.functions = functions;
        this.proxy = proxy;
    }

    /**
     * The values of a template with its parameters' defaults (or the values given to it). Functions a parameter
     * leaves out (the SnapStart function) are included: a run that asks for one gets it as it would be deployed.
     */
    public static TemplateValues of(StackTemplate template) {
        return new TemplateValues(template.file(), FunctionSpec.of(template, true), StackResources.of(template).proxy());
    }

    public Path file() {
        return file;
    }

    /** The template's classic function whose handler is this class, if any. */
    public Optional<FunctionSpec> function(String handlerClass) {
        return function(handlerClass, false);
    }

    /**
     * The template's function whose handler is this class, on Lambda Managed Instances when {@code managed} (a
     * template may run one handler on both execution models), if any.
     */
    public Optional<FunctionSpec> function(String handlerClass, boolean managed) {
        return functions.values().stream().filter(f -> f.handler().startsWith(handlerClass + "::")
                || f.handler().equals(handlerClass)).filter(f -> f.managedInstances().isPresent() == managed).findFirst();
    }

    /** The function's variables the test bed takes over: all but {@link #LOCAL_VARIABLES}. */
    public static Map<String, String> portableVariables(FunctionSpec function) {
        Map<String, String> variables = new LinkedHashMap<>();
        function.variables().forEach((name, value) -> {
            if (!LOCAL_VARIABLES.contains(name)) {
                variables.put(name, value);
            }
        });
        return variables;
    }

    /** {@code base} with the template's proxy settings; {@code base} itself when the template has no proxy. */
    public ProxySettings proxySettings(ProxySettings base) {
        return proxy.map(p -> base.withMaxConnectionsPercent(p.maxConnectionsPercent())
                .withMaxIdleConnectionsPercent(p.maxIdleConnectionsPercent())
                .withConnectionBorrowTimeout(Duration.ofSeconds(p.borrowTimeoutSeconds()))
                .withIdleClientTimeout(Duration.ofSeconds(p.idleClientTimeoutSeconds()))).orElse(base);
    }

    /** One line for reports: which values came from where. */
    public String description() {
        String proxyText = proxy.map(p -> "proxy MaxConnectionsPercent " + p.maxConnectionsPercent()
                + ", MaxIdleConnectionsPercent " + p.maxIdleConnectionsPercent() + ", ConnectionBorrowTimeout "
                + p.borrowTimeoutSeconds() + " s, IdleClientTimeout " + p.idleClientTimeoutSeconds() + " s")
                .orElse("no proxy");
        String functionText = functions.values().stream().map(f -> f.name() + " " + (f.runtime().isEmpty() ? ""
                : f.runtime() + ", ") + f.memoryMb() + " MB, timeout "
                + f.timeoutSeconds() + " s, " + (f.reservedConcurrency().isPresent() ? "reserved concurrency "
                + f.reservedConcurrency().getAsInt() : "unreserved") + ", " + portableVariables(f).size()
                + " variables").collect(Collectors.joining("; "));
        return file.getFileName() + " with its defaults: " + proxyText + "; " + functionText;
    }
}
