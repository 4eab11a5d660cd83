package dev.lambdalab.testbed.compare;

import dev.lambdalab.testbed.Target;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.aws.AwsExperiment;
import dev.lambdalab.testbed.aws.StackOutputs;
import dev.lambdalab.testbed.load.Load;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.scenario.Scenario;
import dev.lambdalab.testbed.scenario.ScenarioResult;
import dev.lambdalab.testbed.scenario.ScenarioRunner;
import dev.lambdalab.testbed.stack.FunctionSpec;
import dev.lambdalab.testbed.stack.StackTemplate;
import dev.lambdalab.testbed.stack.TemplateValues;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * The local side of {@code testbed aws --compare}: the same experiment on this machine, set up from the deployed
 * stack's own parameters (DescribeStacks) applied to template.yaml, the same callers, duration and hold per route,
 * and the database's limit from the stack's {@code MaxConnections}. What it predicts is what the emulators and the
 * embedded PostgreSQL do with that setup; {@link Comparison} sets it beside AWS's numbers.
 */
public final class LocalPrediction {

    /**
     * PostgreSQL's superuser_reserved_connections on RDS: the stack's functions log in as the master user, which is
     * not a superuser there, so the first {@code max_connections - 3} connections are theirs.
     */
    public static final int SUPERUSER_RESERVED = 3;

    /** The two routes, as AWS's run names them. */
    public record Routes(ScenarioResult broken, ScenarioResult fixed) {
    }

    private LocalPrediction() {
    }

    /** The role's limit for the local run: what the functions could open on the deployed instance. */
    public static int roleLimit(StackOutputs stack) {
        return Math.max(1, stack.maxConnections() - SUPERUSER_RESERVED);
    }

    /**
     * template.yaml with the stack's parameters, those the template declares; parameters the template does not know
     * (a newer or older stack) and masked NoEcho values are left at the template's defaults and named in
     * {@code skipped}.
     */
    public static StackTemplate withStackParameters(Path template, Map<String, String> parameters,
            Consumer<String> skipped) throws IOException {
        StackTemplate result = StackTemplate.load(template);
        for (Map.Entry<String, String> parameter : parameters.entrySet()) {
            if (parameter.getValue() == null || parameter.getValue().equals("****")) {
                skipped.accept(parameter.getKey() + " (NoEcho)");
                continue;
            }
            try {
                result = result.withParameter(parameter.getKey(), parameter.getValue());
            } catch (IllegalArgumentException e) {
                skipped.accept(parameter.getKey() + " (" + e.getMessage() + ")");
            }
        }
        return result;
    }

    /** The scenarios the local run plays, one per route, as {@code plan} and the stack set them. */
    public static List<Scenario> scenarios(AwsExperiment.Plan plan, StackOutputs stack, TemplateValues values) {
        Load load = Load.forDuration(plan.concurrency(), plan.perRoute(), plan.holdMillis());
        ProxySettings proxy = values.proxySettings(ProxySettings.DEFAULTS);
        Integer reserved = values.function(Variant.FIXED.handlerClass()).map(FunctionSpec::reservedConcurrency)
                .filter(OptionalInt::isPresent).map(OptionalInt::getAsInt).orElse(null);
        List<Scenario> scenarios = new ArrayList<>();
        scenarios.add(Scenario.builder("broken-local").description("The broken function as the test bed predicts it"
                + " for " + stack.stackName() + ": a pool per invocation straight to the database.")
                .variant(Variant.BROKEN).target(Target.DIRECT).load(load).roleConnectionLimit(roleLimit(stack))
                .proxy(proxy).expect(Scenario.Expectation.FAILS).build());
        scenarios.add(Scenario.builder("fixed-local").description("The fixed function as the test bed predicts it for "
                + stack.stackName() + ": a static pool of 1 behind the RDS Proxy emulator.")
                .variant(Variant.FIXED).target(Target.PROXY).load(load).roleConnectionLimit(roleLimit(stack))
                .reservedConcurrency(reserved).proxy(proxy).expect(Scenario.Expectation.HOLDS).build());
        return scenarios;
    }

    /** Runs both routes on an embedded PostgreSQL and the emulators. */
    public static Routes run(AwsExperiment.Plan plan, StackOutputs stack, Path template, Consumer<String> progress)
            throws IOException, InterruptedException {
        StackTemplate stackTemplate = withStackParameters(template, stack.parameters(),
                name -> progress.accept("local run: parameter " + name + " left at the template's default"));
        TemplateValues values = TemplateValues.of(stackTemplate);
        List<Scenario> scenarios = scenarios(plan, stack, values);
        progress.accept("local run: PostgreSQL with role limit " + roleLimit(stack) + " (max_connections "
                + stack.maxConnections() + " - " + SUPERUSER_RESERVED + " reserved), " + values.description());
        try (TestBed testBed = TestBed.embedded(roleLimit(stack)).withTemplate(values).closeOnShutdown()) {
            ScenarioRunner runner = new ScenarioRunner(testBed);
            List<ScenarioResult> results = new ArrayList<>();
            for (Scenario scenario : scenarios) {
                progress.accept("local run: " + scenario.name() + ", " + plan.concurrency() + " callers for "
                        + plan.perRoute().toSeconds() + " s");
                results.add(runner.run(scenario));
            }
            return new Routes(results.get(0), results.get(1));
        }
    }
}
