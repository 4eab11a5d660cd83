package dev.lambdalab.testbed.app;

import dev.lambdalab.db.JsonObject;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.aws.LocalSecretsManager;
import dev.lambdalab.testbed.db.LabDatabase;
import dev.lambdalab.testbed.db.PostgresServer;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.Isolation;
import dev.lambdalab.testbed.lambda.ManagedInstances;
import dev.lambdalab.testbed.lambda.SnapStart;
import dev.lambdalab.testbed.lambda.process.JvmProfile;
import dev.lambdalab.testbed.lambda.sandbox.FunctionCode;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.rdsproxy.RdsProxyEmulator;
import dev.lambdalab.testbed.stack.AppFunction;
import dev.lambdalab.testbed.stack.ManagedSpec;
import dev.lambdalab.testbed.stack.StackResources.ProxySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.IntPredicate;

/**
 * A user's template running locally, as {@link AppPlan} decided: its database (the template's name and user, on the
 * test bed's PostgreSQL), the instance's endpoint, the RDS Proxy emulator with the template's pool settings, the
 * local Secrets Manager holding the database's credentials, and one {@link EmulatedFunction} per function, each in
 * process isolation under AWS's runtime interface client with its own package and JDK.
 */
public final class LocalApp implements AutoCloseable {

    private final AppPlan plan;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final Map<String, EmulatedFunction> functions = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private LabDatabase database;
    private LabDatabase borrowed;
    private int borrowedLimit;
    private DatabaseEndpoint databaseEndpoint;
    private RdsProxyEmulator proxy;
    private PinLedger pins;
    private LocalSecretsManager secrets;
    private JvmProfile profile;

    private LocalApp(AppPlan plan) {
        this.plan = plan;
    }

    /**
     * Starts everything on the test bed's PostgreSQL; on failure stops what it started and rethrows.
     *
     * @param testBed the test bed: its server, its JVM profile, and its own database when the template's names are
     *     the lab's (the repository's template), which is then borrowed rather than made again
     * @param proxyMaxClients the proxy's client-connection limit
     * @param progress told one line per step
     */
    public static LocalApp start(AppPlan plan, TestBed testBed, int proxyMaxClients, Consumer<String> progress) {
        LocalApp app = new LocalApp(plan);
        try {
            if (plan.names().equals(LabDatabase.Names.LAB)) {
                app.borrowed = testBed.lab();
                app.borrowedLimit = testBed.lab().appConnectionLimit();
            }
            app.startAll(testBed.server(), proxyMaxClients, testBed.jvmProfile(), progress);
            return app;
        } catch (RuntimeException e) {
            app.close();
            throw e;
        }
    }

    private void startAll(PostgresServer server, int proxyMaxClients, JvmProfile profile, Consumer<String> progress) {
        if (borrowed != null) {
            // The lab's own names: its database and role exist with a password the test bed holds; a second
            // LabDatabase would change that password under it.
            database = borrowed;
            database.setAppConnectionLimit(plan.roleLimit());
        } else {
            database = LabDatabase.create(server, plan.roleLimit(), plan.names());
        }
        progress.accept("database " + plan.names().database() + ", role " + plan.names().appRole() + " CONNECTION LIMIT "
                + plan.roleLimit());
        plan.options().initSql().ifPresent(file -> {
            try {
                database.runAsApplication(Files.readString(file), "--init-sql " + file);
            } catch (IOException e) {
                throw new UncheckedIOException("--init-sql " + file + " cannot be read: " + e.getMessage(), e);
            }
            progress.accept("ran " + file + " as " + plan.names().appRole());
        });
        databaseEndpoint = new DatabaseEndpoint(plan.databaseAddress().host(), plan.databaseAddress().port(),
                server.host(), server.port()).start();
        started.add(databaseEndpoint);
        progress.accept("database endpoint on " + plan.databaseAddress().text() + " (TLS offered, as RDS)");
        if (plan.proxyAddress().isPresent()) {
            ProxySpec spec = plan.template().proxy().orElseThrow();
            ProxySettings settings = ProxySettings.DEFAULTS.withMaxConnectionsPercent(spec.maxConnectionsPercent())
                    .withMaxIdleConnectionsPercent(spec.maxIdleConnectionsPercent())
                    .withConnectionBorrowTimeout(Duration.ofSeconds(spec.borrowTimeoutSeconds()))
                    .withIdleClientTimeout(Duration.ofSeconds(spec.idleClientTimeoutSeconds()))
                    .withMaxClientConnections(proxyMaxClients);
            pins = new PinLedger(Collections.unmodifiableMap(functions), plan.proxyAddress().get().port());
            started.add(pins);
            proxy = new RdsProxyEmulator(server.host(), server.port())
                    .withListenHost(plan.proxyAddress().get().host()).withPort(plan.proxyAddress().get().port())
                    .withUser(plan.names().appRole(), database.appPassword())
                    .withDatabase(plan.names().database())
                    .withSettings(settings)
                    .withServerConnectionLimit(plan.roleLimit())
                    .withRequireTls(plan.template().proxyRequiresTls())
                    .withPinEvents(pins::pinned);
            proxy.start();
            started.add(proxy);
            progress.accept("RDS Proxy emulator on " + plan.proxyAddress().get().text() + ": "
                    + proxy.poolSize() + " database connections (MaxConnectionsPercent " + spec.maxConnectionsPercent()
                    + " of " + plan.roleLimit() + "), ConnectionBorrowTimeout " + spec.borrowTimeoutSeconds() + " s");
        }
        this.profile = profile;
        secrets = new LocalSecretsManager().start();
        started.add(secrets);
        String secret = secretJson();
        for (String id : plan.standIns().databaseSecrets()) {
            secrets.putSecret(plan.standIns().secretArn(id), id, secret);
        }
        for (AppPlan.PreparedFunction prepared : plan.functions()) {
            functions.put(prepared.function().logicalId(), function(prepared));
        }
    }

    /** The secret RDS keeps for a database: the shape of a SecretTargetAttachment's ("RDS secret structure"). */
    private String secretJson() {
        return new JsonObject().put("engine", "postgres").put("host", plan.databaseAddress().host())
                .put("port", plan.databaseAddress().port()).put("username", plan.names().appRole())
                .put("password", database.appPassword()).put("dbname", plan.names().database())
                .put("dbInstanceIdentifier", "testbed").toString();
    }

    private EmulatedFunction function(AppPlan.PreparedFunction prepared) {
        AppFunction spec = prepared.function();
        EmulatedFunction function = new EmulatedFunction(spec.logicalId(), spec.handler())
                .withCode(FunctionCode.deployed(prepared.code().taskRoot(), prepared.code().description()))
                .withIsolation(Isolation.PROCESS)
                .withJavaRuntime(prepared.runtime())
                .withJvmProfile(profile)
                .withMemoryMb(Math.max(128, spec.memoryMb()))
                .withTimeout(plan.options().timeout().orElse(Duration.ofSeconds(Math.max(1, spec.timeoutSeconds()))))
                .withAccountConcurrency(plan.options().accountConcurrency())
                .withRegion(plan.options().region());
        Map<String, String> variables = new LinkedHashMap<>(prepared.wiring().variables());
        variables.keySet().removeIf(name -> {
            boolean reserved = name.startsWith("AWS_LAMBDA_") || name.equals("AWS_REGION");
            if (reserved) {
                notes.add(spec.logicalId() + ": " + name + " is reserved by Lambda (a deploy refuses it): left out");
            }
            return reserved;
        });
        // Lambda gives a function its role's credentials as variables; the local Secrets Manager accepts these.
        variables.putAll(secrets.functionEnvironment());
        function.withEnvironment(variables);
        spec.reservedConcurrency().ifPresent(function::withReservedConcurrency);
        if (spec.snapStart()) {
            function.withSnapStart(SnapStart.bestAvailable());
        }
        spec.managedInstances().ifPresent(managed -> function.withManagedInstances(managedInstances(managed)));
        return function;
    }

    /** The template's Managed Instances settings as the emulator runs them. */
    static ManagedInstances managedInstances(ManagedSpec spec) {
        int max = spec.environmentBound().orElse(ManagedInstances.DEFAULT_MAX_ENVIRONMENTS);
        ManagedInstances managed = ManagedInstances.defaults().withConcurrency(spec.concurrency())
                .withVcpus(spec.vcpus()).withEnvironments(Math.min(spec.minEnvironments(), max), max);
        return spec.targetCpuPercent().isPresent() ? managed.withTargetUtilization(spec.targetCpuPercent().getAsInt())
                : managed;
    }

    /**
     * Starts over with a new function for this id, as a new deploy would: every environment of the old one ends
     * (killed, so the database sees its connections go).
     */
    public synchronized EmulatedFunction restart(String id) {
        AppPlan.PreparedFunction prepared = prepared(id);
        EmulatedFunction old = functions.put(id, function(prepared));
        if (old != null) {
            old.close();
        }
        return functions.get(id);
    }

    /** The function's template entry. */
    public AppFunction spec(String id) {
        return prepared(id).function();
    }

    /** Whether the function's variables point it at the proxy emulator. */
    public boolean usesProxy(String id) {
        return proxy != null && prepared(id).wiring().variables().values().stream()
                .anyMatch(value -> value.contains(plan.proxyAddress().orElseThrow().host()));
    }

    /** The function's runtime and package, for reports. */
    public String describe(String id) {
        AppPlan.PreparedFunction prepared = prepared(id);
        return prepared.function().handler() + ", " + prepared.runtime().describe() + ", " + prepared.code()
                .description();
    }

    private AppPlan.PreparedFunction prepared(String id) {
        return plan.functions().stream().filter(p -> p.function().logicalId().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no function " + id + " runs here"));
    }

    public AppPlan plan() {
        return plan;
    }

    /** The running functions, by logical id. */
    public Map<String, EmulatedFunction> functions() {
        return Collections.unmodifiableMap(functions);
    }

    public LabDatabase database() {
        return database;
    }

    /** The proxy emulator, when the functions have one. */
    public Optional<RdsProxyEmulator> proxy() {
        return Optional.ofNullable(proxy);
    }

    /** Client connections the database endpoint accepted (functions that go straight to the database). */
    public int databaseEndpointConnections() {
        return databaseEndpoint == null ? 0 : databaseEndpoint.acceptedConnections();
    }

    /** Which remote ports are the database's or the proxy's: a function's connections to them are database connections. */
    public IntPredicate databasePorts() {
        int database = plan.databaseAddress().port();
        int proxyPort = plan.proxyAddress().map(Endpoints.Address::port).orElse(database);
        return port -> port == database || port == proxyPort;
    }

    /** A function's pins by reason and digest, most first (none without a proxy). */
    public List<PinLedger.Count> pins(String function) {
        return pins == null ? List.of() : pins.pins(function);
    }

    /** What the run changed from the template, and addresses not as wanted, one line each. */
    public List<String> notes() {
        List<String> all = new ArrayList<>(plan.notes());
        all.addAll(notes);
        return all;
    }

    /** Stops the functions, the proxy, the endpoint and the Secrets Manager (the server is its owner's). */
    @Override
    public synchronized void close() {
        functions.values().forEach(EmulatedFunction::close);
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                // closing the rest matters more
            }
        }
        started.clear();
        if (borrowed != null) {
            try {
                borrowed.setAppConnectionLimit(borrowedLimit);
            } catch (RuntimeException e) {
                // the server is going away with the test bed
            }
        }
    }
}
