package dev.lambdalab.testbed.cli;

import dev.lambdalab.testbed.app.AppOptions;
import dev.lambdalab.testbed.app.AppPlan;
import dev.lambdalab.testbed.stack.AppTemplate;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The options of {@code testbed invoke} and {@code testbed serve -t}, named as SAM CLI names them where the meaning is
 * the same ({@code -t}, {@code -n}, {@code --parameter-overrides}).
 */
final class AppRunOptions {

    @Option(names = {"-t", "--template"}, paramLabel = "FILE", description = "The SAM template (default, as sam local:"
            + " .aws-sam/build/template.yaml, else template.yaml, template.yml or template.json here).")
    Path template;

    @Option(names = {"-n", "--env-vars"}, paramLabel = "FILE", description = "Variables in SAM's env.json format:"
            + " {\"FunctionId\": {\"VAR\": \"value\"}, \"Parameters\": {\"VAR\": \"value\"}}; needed for variables that"
            + " refer to resources the test bed does not stand in for.")
    Path envVars;

    @Option(names = "--parameter-overrides", paramLabel = "KEY=VALUE", description = "Template parameters, as sam"
            + " takes them: one string of Key=Value (or ParameterKey=Key,ParameterValue=Value) pairs separated by"
            + " spaces; repeatable.")
    List<String> parameterOverrides = new ArrayList<>();

    @Option(names = "--init-sql", paramLabel = "FILE", description = "A script run on the database as the functions'"
            + " user before they start (your schema and test data).")
    Path initSql;

    @Option(names = "--role-limit", paramLabel = "N", description = "CONNECTION LIMIT of the functions' database user"
            + " (2..10000; default: the template's max_connections less the 3 RDS reserves, else 100).")
    Integer roleLimit;

    @Option(names = "--timeout-s", paramLabel = "S", description = "Every function's timeout in seconds instead of"
            + " the template's (1..900): on a machine of few cores, dozens of JVMs starting at once can stretch a first"
            + " request past a timeout that AWS, where each environment has CPU of its own, would not reach.")
    Integer timeoutSeconds;

    @Option(names = "--account-concurrency", paramLabel = "N", defaultValue = "1000", description = "The account's"
            + " concurrency for unreserved functions (1..100000, default: ${DEFAULT-VALUE}, Lambda's quota).")
    int accountConcurrency;

    @Option(names = "--region", paramLabel = "REGION", defaultValue = "us-east-1", description = "AWS_REGION of the"
            + " functions (default: ${DEFAULT-VALUE}).")
    String region;

    /** Finds and reads the template with its parameters; every problem is a usage error (exit code 2), named. */
    AppTemplate template(CommandSpec spec) {
        try {
            Path file = AppTemplate.locate(template, Path.of("").toAbsolutePath());
            return AppTemplate.load(file, AppTemplate.parseOverrides(parameterOverrides));
        } catch (IOException e) {
            TestBedOptions.require(spec, false, "-t: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            TestBedOptions.require(spec, false, e.getMessage());
        }
        return null;
    }

    /**
     * Prepares the run: every problem is a usage error (exit code 2), each named on a line of its own.
     *
     * @param only the one function to run (invoke), or empty for all (serve)
     * @param proxy false for {@code --proxy none}
     */
    AppPlan plan(CommandSpec spec, AppTemplate loaded, Optional<String> only, boolean proxy) {
        try {
            AppOptions options = AppOptions.builder().envVars(envVars).initSql(initSql).proxy(proxy)
                    .roleLimit(roleLimit).accountConcurrency(accountConcurrency).region(region)
                    .timeoutSeconds(timeoutSeconds).build();
            return AppPlan.prepare(loaded, options, only);
        } catch (IllegalArgumentException e) {
            TestBedOptions.require(spec, false, e.getMessage());
            return null;
        }
    }
}
