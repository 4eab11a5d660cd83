package dev.lambdalab.testbed.app;

import dev.lambdalab.testbed.stack.AppFunction;
import dev.lambdalab.testbed.stack.CloudFormationYaml.Intrinsic;
import dev.lambdalab.testbed.stack.TemplateExpressions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A function's Environment.Variables with the stack's database resources replaced by the test bed's stand-ins
 * ({@link StandIns}) and the rest evaluated as CloudFormation would; {@code -n env.json} wins over both. A variable
 * nothing here can give is {@link Missing}: a run refuses to start while any is, naming each.
 */
public final class VariableWiring {

    /** A variable that neither the template, the stand-ins nor env.json can give. */
    public record Missing(String function, String variable, String reason) {

        String line() {
            return function + ": " + variable + " (" + reason + ")";
        }
    }

    /**
     * The variables of one function and how the ones that refer to the stack were wired.
     *
     * @param variables name to value, what the function's environments get
     * @param notes one line per variable wired to a stand-in or taken from env.json
     */
    public record Wired(Map<String, String> variables, List<String> notes) {
    }

    private final TemplateExpressions expressions;
    private final StandIns standIns;
    private final EnvVarsFile envVars;

    VariableWiring(TemplateExpressions expressions, StandIns standIns, EnvVarsFile envVars) {
        this.expressions = expressions;
        this.standIns = standIns;
        this.envVars = envVars;
    }

    /** The function's variables; what cannot be given goes to {@code missing}. */
    Wired wire(AppFunction function, List<Missing> missing) {
        Map<String, String> overrides = envVars.forFunction(function.logicalId());
        Map<String, String> variables = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        function.variables().forEach((name, raw) -> {
            if (overrides.containsKey(name)) {
                variables.put(name, overrides.get(name));
                notes.add(name + " from env.json");
                return;
            }
            try {
                Optional<String> value = expressions.text(raw);
                value.ifPresent(text -> {
                    variables.put(name, text);
                    describe(raw, text).ifPresent(stand -> notes.add(name + " = " + text + " (" + stand + ")"));
                });
            } catch (TemplateExpressions.Unresolved e) {
                missing.add(new Missing(function.logicalId(), name, e.getMessage()));
            }
        });
        overrides.keySet().stream().filter(name -> !function.variables().containsKey(name)).forEach(name ->
                notes.add(name + " in env.json is ignored: the template does not declare it (sam local ignores it too)"));
        return new Wired(variables, notes);
    }

    /** Which stand-in a value that refers to the stack is, for the run's notes; empty for plain values. */
    private Optional<String> describe(Object raw, String value) {
        if (!(raw instanceof Intrinsic)) {
            return Optional.empty();
        }
        String written = written(raw);
        if (value.equals(standIns.proxyHost()) && !value.equals(standIns.databaseHost())) {
            return Optional.of("the RDS Proxy emulator, for " + written);
        }
        if (value.contains(standIns.databaseHost()) || value.equals(Integer.toString(standIns.databasePort()))) {
            return Optional.of("the database endpoint, for " + written);
        }
        if (value.startsWith("arn:aws:secretsmanager:")) {
            return Optional.of("a secret of the local Secrets Manager, for " + written);
        }
        if (value.contains(standIns.proxyHost())) {
            return Optional.of("the RDS Proxy emulator, for " + written);
        }
        return Optional.empty();
    }

    /** An intrinsic as a template writes it in short form: {@code !GetAtt Proxy.Endpoint}. */
    static String written(Object raw) {
        if (raw instanceof Intrinsic intrinsic) {
            return "!" + intrinsic.function() + " " + (intrinsic.argument() instanceof List<?> list
                    ? list.stream().map(VariableWiring::written).toList().toString() : written(intrinsic.argument()));
        }
        return String.valueOf(raw);
    }
}
