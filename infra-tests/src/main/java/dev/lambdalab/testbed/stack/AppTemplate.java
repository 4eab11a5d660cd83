package dev.lambdalab.testbed.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdalab.testbed.stack.StackResources.ProxySpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A user's SAM template as {@code testbed invoke} and {@code testbed serve -t} read it: the functions its parameters
 * deploy ({@link AppFunction}), and what it says about its database (name, user, proxy), so that the test bed can
 * stand in for them. It is found the way {@code sam local} finds one ({@link #locate}).
 */
public final class AppTemplate {

    /** The names {@code sam local} looks for in the working directory, in its order. */
    public static final List<String> DEFAULT_FILES = List.of("template.yaml", "template.yml", "template.json");

    /** Where {@code sam build} writes the built template; sam local prefers it when no template is named. */
    public static final Path BUILD_TEMPLATE = Path.of(".aws-sam", "build", "template.yaml");

    /** The suffix of the name of the secret RDS manages for an instance's master user (ManageMasterUserPassword). */
    public static final String MASTER_SECRET_SUFFIX = "-master";

    /** The database engines the embedded PostgreSQL stands for. */
    private static final List<String> POSTGRES_ENGINES = List.of("postgres", "aurora-postgresql");

    private static final Pattern OVERRIDE_LONG = Pattern.compile("ParameterKey=([^,]+),ParameterValue=(.*)");
    private static final Pattern OVERRIDE_SHORT = Pattern.compile("([A-Za-z0-9]+)=(.*)");

    private final StackTemplate stack;
    private final List<AppFunction> functions;

    private AppTemplate(StackTemplate stack, List<AppFunction> functions) {
        this.stack = stack;
        this.functions = List.copyOf(functions);
    }

    /**
     * The template to read: the one named (a file, or a directory to look in), else, as SAM CLI's
     * {@code get_template_data} does without {@code -t}, {@code .aws-sam/build/template.yaml}, then
     * template.yaml, template.yml, template.json in the working directory.
     *
     * @throws IllegalArgumentException naming where it looked
     */
    public static Path locate(Path given, Path workingDirectory) {
        if (given != null && Files.isRegularFile(given)) {
            return given;
        }
        if (given != null && !Files.isDirectory(given)) {
            throw new IllegalArgumentException("template " + given + " does not exist");
        }
        Path directory = given != null ? given : workingDirectory;
        List<Path> candidates = new ArrayList<>();
        if (given == null) {
            candidates.add(directory.resolve(BUILD_TEMPLATE));
        }
        DEFAULT_FILES.forEach(name -> candidates.add(directory.resolve(name)));
        return candidates.stream().filter(Files::isRegularFile).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no template in " + directory.toAbsolutePath().normalize() + ": looked for "
                        + String.join(", ", candidates.stream().map(p -> directory.relativize(p).toString()).toList())
                        + "; name one with -t"));
    }

    /**
     * Parses {@code --parameter-overrides} as SAM CLI takes them: pairs separated by spaces, each {@code Key=Value} or
     * {@code ParameterKey=Key,ParameterValue=Value} (a value with a space cannot be given this way, as with sam).
     *
     * @throws IllegalArgumentException naming the item that is neither
     */
    public static Map<String, String> parseOverrides(List<String> items) {
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String item : items.stream().flatMap(text -> Arrays.stream(text.strip().split("\\s+")))
                .filter(text -> !text.isEmpty()).toList()) {
            Matcher keyed = OVERRIDE_LONG.matcher(item);
            Matcher plain = OVERRIDE_SHORT.matcher(item);
            if (keyed.matches()) {
                overrides.put(keyed.group(1), keyed.group(2));
            } else if (plain.matches()) {
                overrides.put(plain.group(1), plain.group(2));
            } else {
                throw new IllegalArgumentException("--parameter-overrides: \"" + item + "\" is neither Key=Value nor"
                        + " ParameterKey=Key,ParameterValue=Value");
            }
        }
        return overrides;
    }

    /**
     * Reads a template with its parameters' defaults and the given values (each checked as CloudFormation checks it).
     *
     * @throws IOException when the file cannot be read
     * @throws IllegalArgumentException when it is not a template, a value is refused, or a function is malformed
     */
    public static AppTemplate load(Path file, Map<String, String> parameterValues) throws IOException {
        StackTemplate stack = StackTemplate.load(file);
        for (Map.Entry<String, String> value : parameterValues.entrySet()) {
            stack = stack.withParameter(value.getKey(), value.getValue());
        }
        List<AppFunction> functions = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> resource : stack.resources("AWS::Serverless::Function").entrySet()) {
            Object condition = resource.getValue().get("Condition");
            if (condition == null || stack.condition(String.valueOf(condition))) {
                functions.add(AppFunction.of(stack, resource.getKey(), resource.getValue()));
            }
        }
        return new AppTemplate(stack, functions);
    }

    public StackTemplate stack() {
        return stack;
    }

    public Path file() {
        return stack.file();
    }

    /** The functions its parameters deploy, in the template's order. */
    public List<AppFunction> functions() {
        return functions;
    }

    /**
     * The function with this logical id.
     *
     * @throws IllegalArgumentException naming the template's functions
     */
    public AppFunction function(String logicalId) {
        return functions.stream().filter(f -> f.logicalId().equals(logicalId)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("function " + logicalId + " is not in " + file() + (functions.isEmpty()
                        ? ", which deploys no AWS::Serverless::Function" : "; its functions are "
                        + String.join(", ", functions.stream().map(AppFunction::logicalId).toList()))));
    }

    /** The RDS Proxy's pool settings, with RDS's defaults; empty when the template has no proxy. */
    public Optional<ProxySpec> proxy() {
        return StackResources.proxySpec(stack);
    }

    /** RequireTLS of the template's proxy. */
    public boolean proxyRequiresTls() {
        return stack.resources("AWS::RDS::DBProxy").values().stream().findFirst()
                .flatMap(p -> stack.text(StackTemplate.map(p.get("Properties")).get("RequireTLS")))
                .map(Boolean::parseBoolean).orElse(false);
    }

    /**
     * What the template says of its database.
     *
     * @param name DBName of its instance (DatabaseName of a cluster), else RDS's {@code postgres}
     * @param user the user of the proxy's secret (or of the template's one secret), else the instance's
     *     MasterUsername, when the template says
     * @param maxConnections the instance's max_connections (its parameter group's, else RDS's formula), when known
     */
    public record Database(String name, Optional<String> user, OptionalInt maxConnections) {
    }

    /**
     * The template's database.
     *
     * @throws IllegalArgumentException when its engine is not PostgreSQL, which is all the test bed has
     */
    public Database database() {
        Map<String, Map<String, Object>> instances = new LinkedHashMap<>(stack.resources("AWS::RDS::DBInstance"));
        Map<String, Map<String, Object>> clusters = stack.resources("AWS::RDS::DBCluster");
        for (Map.Entry<String, Map<String, Object>> database : concat(instances, clusters).entrySet()) {
            Map<String, Object> properties = StackTemplate.map(database.getValue().get("Properties"));
            Optional<String> engine = stack.text(properties.get("Engine")).map(e -> e.toLowerCase(Locale.ROOT));
            if (engine.isPresent() && !POSTGRES_ENGINES.contains(engine.get())) {
                throw new IllegalArgumentException(database.getKey() + "'s Engine is " + engine.get() + "; the test bed's"
                        + " database is PostgreSQL (postgres, aurora-postgresql)");
            }
        }
        Map<String, Object> first = StackTemplate.map(concat(instances, clusters).values().stream().findFirst()
                .map(r -> r.get("Properties")).orElse(null));
        String name = stack.text(first.get("DBName")).or(() -> stack.text(first.get("DatabaseName"))).orElse("postgres");
        Optional<String> user = secretUser().or(() -> stack.text(first.get("MasterUsername"))
                .filter(text -> !text.contains("{{resolve:")));
        OptionalInt maxConnections = OptionalInt.empty();
        if (instances.size() == 1) {
            try {
                maxConnections = OptionalInt.of(StackResources.of(stack).maxConnections());
            } catch (IllegalArgumentException e) {
                // an instance class whose memory is not known here: the caller's default applies
            }
        }
        return new Database(name, user, maxConnections);
    }

    /** The username in the proxy's secret, else in the template's only secret. */
    private Optional<String> secretUser() {
        Map<String, Map<String, Object>> secrets = stack.resources("AWS::SecretsManager::Secret");
        Optional<String> proxySecret = stack.resources("AWS::RDS::DBProxy").values().stream().findFirst()
                .flatMap(p -> StackTemplate.list(StackTemplate.map(p.get("Properties")).get("Auth")).stream()
                        .map(a -> StackTemplate.map(a).get("SecretArn")).findFirst())
                .filter(CloudFormationYaml.Intrinsic.class::isInstance)
                .map(ref -> String.valueOf(((CloudFormationYaml.Intrinsic) ref).argument()));
        Map<String, Object> secret = proxySecret.map(secrets::get).orElse(secrets.size() == 1
                ? secrets.values().iterator().next() : null);
        if (secret == null) {
            return Optional.empty();
        }
        Map<String, Object> properties = StackTemplate.map(secret.get("Properties"));
        Optional<String> json = stack.text(StackTemplate.map(properties.get("GenerateSecretString"))
                .get("SecretStringTemplate")).or(() -> stack.text(properties.get("SecretString")));
        try {
            JsonNode tree = json.isPresent() ? new ObjectMapper().readTree(json.get()) : null;
            return tree != null && tree.hasNonNull("username") ? Optional.of(tree.get("username").asText())
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // not JSON: the secret holds no username the test bed could read
        }
    }

    /**
     * The secrets of a template that hold database credentials: the proxy's Auth secrets, the targets of a
     * SecretTargetAttachment, and those whose template or string has a {@code username}. Instances with
     * ManageMasterUserPassword add RDS's own secret ({@code <Instance>-master}).
     */
    public Set<String> databaseSecrets() {
        Set<String> found = new LinkedHashSet<>();
        Map<String, Map<String, Object>> secrets = stack.resources("AWS::SecretsManager::Secret");
        stack.resources("AWS::RDS::DBProxy").values().forEach(proxy -> StackTemplate.list(StackTemplate.map(
                proxy.get("Properties")).get("Auth")).forEach(auth -> refTarget(StackTemplate.map(auth)
                .get("SecretArn")).ifPresent(found::add)));
        stack.resources("AWS::SecretsManager::SecretTargetAttachment").values().forEach(attachment -> refTarget(
                StackTemplate.map(attachment.get("Properties")).get("SecretId")).ifPresent(found::add));
        secrets.forEach((id, secret) -> {
            Map<String, Object> properties = StackTemplate.map(secret.get("Properties"));
            String text = String.valueOf(StackTemplate.map(properties.get("GenerateSecretString"))
                    .get("SecretStringTemplate")) + properties.get("SecretString");
            if (text.contains("username")) {
                found.add(id);
            }
        });
        Map<String, Map<String, Object>> databases = new LinkedHashMap<>(stack.resources("AWS::RDS::DBInstance"));
        databases.putAll(stack.resources("AWS::RDS::DBCluster"));
        databases.forEach((id, database) -> {
            if (stack.text(StackTemplate.map(database.get("Properties")).get("ManageMasterUserPassword"))
                    .map(Boolean::parseBoolean).orElse(false)) {
                found.add(id + MASTER_SECRET_SUFFIX);
            }
        });
        found.removeIf(id -> !secrets.containsKey(id) && !id.endsWith(MASTER_SECRET_SUFFIX)); // a Ref to a parameter
        return found;
    }

    private static Optional<String> refTarget(Object value) {
        return value instanceof CloudFormationYaml.Intrinsic ref
                && ref.function().equals("Ref") ? Optional.of(String.valueOf(ref.argument())) : Optional.empty();
    }

    private static Map<String, Map<String, Object>> concat(Map<String, Map<String, Object>> first,
            Map<String, Map<String, Object>> second) {
        Map<String, Map<String, Object>> all = new LinkedHashMap<>(first);
        all.putAll(second);
        return all;
    }
}
