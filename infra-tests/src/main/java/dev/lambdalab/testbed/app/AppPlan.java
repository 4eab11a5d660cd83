package dev.lambdalab.testbed.app;

import dev.lambdalab.testbed.db.LabDatabase;
import dev.lambdalab.testbed.lambda.process.JavaRuntime;
import dev.lambdalab.testbed.lambda.process.ProcessRuntime;
import dev.lambdalab.testbed.stack.AppFunction;
import dev.lambdalab.testbed.stack.AppTemplate;
import dev.lambdalab.testbed.stack.StackResources;
import dev.lambdalab.testbed.stack.TemplateExpressions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Everything a run of a user's template decides before it starts anything, so that bad input fails in a second with
 * every problem named: which functions run (Java ones; others are refused by name), their packages and JDKs, the
 * database's name and user, the stand-ins' addresses, and each function's variables wired to them. Nothing here
 * listens or starts a process.
 *
 * @param template the template
 * @param options the command line's choices
 * @param functions the functions that run, prepared
 * @param refused one line per function that does not run, and why
 * @param names the database and the role the functions log in as
 * @param roleLimit the role's CONNECTION LIMIT
 * @param proxyAddress where the proxy emulator listens, when the functions get one
 * @param databaseAddress where the database endpoint listens
 * @param standIns what the stack's database resources stand for
 * @param notes what did not go as wanted (an address taken), one line each
 */
public record AppPlan(AppTemplate template, AppOptions options, List<PreparedFunction> functions, List<String> refused,
        LabDatabase.Names names, int roleLimit, Optional<Endpoints.Address> proxyAddress,
        Endpoints.Address databaseAddress, StandIns standIns, List<String> notes) {

    /** The Lambda runtimes the test bed runs: Java's managed runtimes. */
    public static final List<String> JAVA_RUNTIMES = List.of("java17", "java21", "java25");

    /** The role name when the template names none. */
    static final String DEFAULT_USER = "app";

    /**
     * One function ready to start.
     *
     * @param function its template entry
     * @param code its unpacked package
     * @param runtime the JDK that runs its runtime here
     * @param wiring its variables
     */
    public record PreparedFunction(AppFunction function, DeploymentPackage code, JavaRuntime runtime,
            VariableWiring.Wired wiring) {
    }

    /**
     * Prepares a run of {@code only} (one function, for invoke) or of every function (serve).
     *
     * @throws IllegalArgumentException naming every problem, one per line
     */
    public static AppPlan prepare(AppTemplate template, AppOptions options, Optional<String> only) {
        return prepare(template, options, only, ProcessRuntime.unavailableReason());
    }

    /** The same, with why process isolation cannot run here (empty when it can), for tests that start nothing. */
    static AppPlan prepare(AppTemplate template, AppOptions options, Optional<String> only,
            Optional<String> processIsolationUnavailable) {
        List<String> problems = new ArrayList<>();
        processIsolationUnavailable.ifPresent(reason -> problems.add("a user's function runs in process"
                + " isolation, under AWS's runtime interface client, which cannot run here: " + reason));
        options.envVars().filter(file -> !Files.isRegularFile(file)).ifPresent(file -> problems.add("-n " + file
                + " does not exist"));
        options.initSql().filter(file -> !Files.isRegularFile(file)).ifPresent(file -> problems.add("--init-sql "
                + file + " does not exist"));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        EnvVarsFile envVars = options.envVars().map(EnvVarsFile::read).orElse(EnvVarsFile.none());
        List<AppFunction> candidates = only.map(id -> List.of(template.function(id))).orElse(template.functions());
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException(template.file() + " deploys no AWS::Serverless::Function with these"
                    + " parameters");
        }
        AppTemplate.Database database = template.database();
        LabDatabase.Names names = names(database);
        int roleLimit = options.roleLimit().orElse(database.maxConnections()
                .stream().map(max -> Math.max(2, max - StackResources.RESERVED_FOR_SUPERUSERS)).findFirst()
                .orElse(100));
        Endpoints endpoints = new Endpoints();
        boolean proxied = options.proxy() && template.proxy().isPresent();
        Optional<Endpoints.Address> proxyAddress = proxied
                ? Optional.of(endpoints.choose("the RDS Proxy emulator", Endpoints.PROXY_HOST, Endpoints.POSTGRES_PORT))
                : Optional.empty();
        Endpoints.Address databaseAddress = endpoints.choose("the database endpoint", Endpoints.DATABASE_HOST,
                Endpoints.POSTGRES_PORT);
        StandIns standIns = new StandIns(proxyAddress.orElse(databaseAddress).host(), databaseAddress.host(),
                databaseAddress.port(), options.region(), template.databaseSecrets());
        TemplateExpressions expressions = new TemplateExpressions(template.stack(), standIns, options.region(),
                stackName(template.file()));
        VariableWiring wiring = new VariableWiring(expressions, standIns, envVars);
        List<PreparedFunction> prepared = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        List<VariableWiring.Missing> missing = new ArrayList<>();
        for (AppFunction function : candidates) {
            Optional<String> refusal = refusal(function);
            if (refusal.isPresent()) {
                refused.add(refusal.get());
                continue;
            }
            try {
                DeploymentPackage code = DeploymentPackage.of(function, template.stack().directory(),
                        DeploymentPackage.cacheDirectory());
                JavaRuntime runtime = JavaRuntime.forLambdaRuntime(function.runtime().orElseThrow(),
                        code.classFileFeature());
                prepared.add(new PreparedFunction(function, code, runtime, wiring.wire(function, missing)));
            } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                problems.add(e.getMessage());
            }
        }
        envVars.functionKeys().stream().filter(key -> template.functions().stream()
                .noneMatch(f -> f.logicalId().equals(key))).forEach(key -> problems.add("-n names " + key
                + ", which is not a function of " + template.file().getFileName()));
        if (!missing.isEmpty()) {
            problems.add("these variables refer to what the test bed does not stand in for; give them in -n env.json"
                    + " ({\"Function\": {\"VAR\": \"value\"}}):\n  " + String.join("\n  ",
                    missing.stream().map(VariableWiring.Missing::line).toList()));
        }
        if (prepared.isEmpty() && problems.isEmpty()) {
            problems.addAll(refused);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        List<String> notes = new ArrayList<>(endpoints.notes());
        prepared.stream().filter(p -> p.function().layers() > 0).forEach(p -> notes.add("function "
                + p.function().logicalId() + " names " + p.function().layers() + " layer(s), which the test bed does not"
                + " unpack into /opt: classes or files from them are missing here"));
        return new AppPlan(template, options, prepared, refused, names, roleLimit, proxyAddress, databaseAddress,
                standIns, notes);
    }

    /** Why a function does not run here, if it does not: not a zip, not a Java runtime. */
    static Optional<String> refusal(AppFunction function) {
        if (function.packageType().equalsIgnoreCase("Image")) {
            return Optional.of("function " + function.logicalId() + " is a container image (PackageType: Image); the"
                    + " test bed runs Java functions from a jar, a zip or a directory");
        }
        String runtime = function.runtime().orElse("(none)");
        if (!JAVA_RUNTIMES.contains(runtime.toLowerCase(Locale.ROOT))) {
            return Optional.of("function " + function.logicalId() + " has runtime " + runtime + "; the test bed runs "
                    + String.join(", ", JAVA_RUNTIMES) + " functions");
        }
        if (function.handler().isBlank()) {
            return Optional.of("function " + function.logicalId() + " has no Handler");
        }
        return Optional.empty();
    }

    /** The database and role to create: the template's, else {@code postgres} and {@code app}. */
    private static LabDatabase.Names names(AppTemplate.Database database) {
        String user = database.user().orElse(DEFAULT_USER);
        if (user.equals("postgres") || user.equals("rdsadmin")) {
            throw new IllegalArgumentException("the template's database user is " + user + ", which the test bed's"
                    + " PostgreSQL keeps for itself; the functions need a role of their own (set the secret's username)");
        }
        try {
            return new LabDatabase.Names(database.name(), user);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the template's database name or user cannot be used here: "
                    + e.getMessage(), e);
        }
    }

    /** AWS::StackName: the template's directory's name, as sam deploy's default would be the project's. */
    private static String stackName(Path file) {
        Path directory = file.toAbsolutePath().getParent();
        String name = directory == null ? "testbed" : directory.getFileName().toString();
        name = name.replaceAll("[^A-Za-z0-9-]", "-");
        return name.isEmpty() || !Character.isLetter(name.charAt(0)) ? "testbed-" + name : name;
    }
}
