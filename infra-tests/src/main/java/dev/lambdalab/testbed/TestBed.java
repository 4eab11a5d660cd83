package dev.lambdalab.testbed;

import dev.lambdalab.testbed.db.ContainerPostgresServer;
import dev.lambdalab.testbed.db.EmbeddedPostgresServer;
import dev.lambdalab.testbed.db.ExternalPostgresServer;
import dev.lambdalab.testbed.db.LabDatabase;
import dev.lambdalab.testbed.db.PostgresServer;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.Isolation;
import dev.lambdalab.testbed.lambda.process.JvmProfile;
import dev.lambdalab.testbed.proxy.Proxy;
import dev.lambdalab.testbed.proxy.ProxyKind;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.rdsproxy.IamTokens;
import dev.lambdalab.testbed.rdsproxy.RdsProxyEmulator;
import dev.lambdalab.testbed.stack.TemplateValues;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Network;

/**
 * The test bed: a PostgreSQL server with the lab's database and roles, and the means to start the proxy
 * (the RDS Proxy emulator, or PgBouncer) in front of it and emulated functions against either. One per run (or per test JVM);
 * scenarios reset the application role's connections between them.
 *
 * <p>The proxy is the RDS Proxy emulator, in this JVM, unless a run asks for PgBouncer. Three providers of the server:
 * embedded PostgreSQL (the default, no Docker needed, PgBouncer as a child process when asked for); an external
 * server; or both as containers through Testcontainers when Docker is there ({@value #CONTAINERS_VARIABLE}=1 or the
 * CLI's --containers), so Docker users need no PgBouncer installed.
 */
public final class TestBed implements AutoCloseable {

    /** Environment variable naming an external server: postgresql://SUPERUSER:PASSWORD@HOST:PORT/postgres. */
    public static final String POSTGRES_URL_VARIABLE = "TESTBED_POSTGRES_URL";
    /** Environment variable that selects the container providers (1 or true). */
    public static final String CONTAINERS_VARIABLE = "TESTBED_CONTAINERS";
    /** Environment variable that selects the emulator's isolation: classloader (default) or process. */
    public static final String ISOLATION_VARIABLE = "TESTBED_ISOLATION";
    /** Environment variable that selects the proxy: rds-proxy (default) or pgbouncer. */
    public static final String PROXY_VARIABLE = "TESTBED_PROXY";

    private final PostgresServer server;
    private final LabDatabase lab;
    private final Network network;
    private final LabProxies proxies;
    private volatile Isolation isolation = defaultIsolation();
    private volatile ProxyKind proxyKind = defaultProxyKind();
    private volatile TemplateValues template;
    private volatile JvmProfile jvmProfile = JvmProfile.fromEnvironment();

    private TestBed(PostgresServer server, LabDatabase lab, Network network) {
        this.server = server;
        this.lab = lab;
        this.network = network;
        this.proxies = new LabProxies(server, lab, network);
    }

    /** An embedded PostgreSQL 17, started now, with max_connections well above the role's limit. */
    public static TestBed embedded(int appConnectionLimit) {
        return on(new EmbeddedPostgresServer(maxConnections(appConnectionLimit)).start(), appConnectionLimit, null);
    }

    /** An external server given by URL. */
    public static TestBed external(String url, int appConnectionLimit) {
        return on(new ExternalPostgresServer(url), appConnectionLimit, null);
    }

    /**
     * PostgreSQL and (later) PgBouncer as containers on a Docker network of their own.
     *
     * @throws IllegalStateException when no Docker engine answers
     */
    public static TestBed containers(int appConnectionLimit) {
        if (!dockerAvailable()) {
            throw new IllegalStateException("Docker is not available: the container providers need a running Docker"
                    + " engine (without it, leave out --containers / " + CONTAINERS_VARIABLE + ")");
        }
        Network network = Network.newNetwork();
        try {
            return on(new ContainerPostgresServer(network, maxConnections(appConnectionLimit)).start(),
                    appConnectionLimit, network);
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
    }

    /** Containers when {@value #CONTAINERS_VARIABLE} is set, else external when {@value #POSTGRES_URL_VARIABLE} is, else embedded. */
    public static TestBed fromEnvironment(int appConnectionLimit) {
        String containers = System.getenv(CONTAINERS_VARIABLE);
        if ("1".equals(containers) || "true".equalsIgnoreCase(containers)) {
            return containers(appConnectionLimit);
        }
        String url = System.getenv(POSTGRES_URL_VARIABLE);
        return url == null || url.isBlank() ? embedded(appConnectionLimit) : external(url, appConnectionLimit);
    }

    /** Whether a Docker engine answers (Testcontainers' check; no engine runs on some machines, such as CI's). */
    public static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static int maxConnections(int appConnectionLimit) {
        return Math.max(100, appConnectionLimit * 2 + 50);
    }

    private static TestBed on(PostgresServer server, int appConnectionLimit, Network network) {
        try {
            return new TestBed(server, LabDatabase.create(server, appConnectionLimit), network);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /**
     * Closes this test bed when the JVM shuts down (Ctrl-C, SIGTERM), so PgBouncer children stop and the
     * embedded server's data directory is deleted. The CLI's commands call it; tests close explicitly.
     */
    public TestBed closeOnShutdown() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "testbed-cleanup"));
        return this;
    }

    /**
     * How the functions this test bed makes isolate their environments (default: {@value #ISOLATION_VARIABLE},
     * else class loaders).
     */
    public TestBed withIsolation(Isolation isolation) {
        this.isolation = Objects.requireNonNull(isolation, "isolation");
        return this;
    }

    public Isolation isolation() {
        return isolation;
    }

    /**
     * Which proxy {@link #startProxy} starts (default: {@value #PROXY_VARIABLE}, else the RDS Proxy
     * emulator).
     */
    public TestBed withProxy(ProxyKind kind) {
        this.proxyKind = Objects.requireNonNull(kind, "kind");
        return this;
    }

    public ProxyKind proxyKind() {
        return proxyKind;
    }

    private static ProxyKind defaultProxyKind() {
        String configured = System.getenv(PROXY_VARIABLE);
        return configured == null || configured.isBlank() ? ProxyKind.RDS_PROXY : ProxyKind.fromLabel(configured);
    }

    /** {@value #ISOLATION_VARIABLE} if set, else the class loaders. */
    public static Isolation defaultIsolation() {
        String configured = System.getenv(ISOLATION_VARIABLE);
        return configured == null || configured.isBlank() ? Isolation.CLASSLOADER : Isolation.fromLabel(configured);
    }

    public LabDatabase lab() {
        return lab;
    }

    public PostgresServer server() {
        return server;
    }

    public String description() {
        return server.description();
    }

    /** The Docker network of the container providers, empty for the others. */
    public Optional<Network> network() {
        return Optional.ofNullable(network);
    }

    /**
     * Whether {@link #startProxy} can start a proxy: always for the emulator; for PgBouncer, when it is
     * installed or the container providers run.
     */
    public boolean proxyAvailable() {
        return proxies.available(proxyKind);
    }

    /** Whether a proxy of this kind can be started here. */
    public boolean proxyAvailable(ProxyKind kind) {
        return proxies.available(kind);
    }

    /** Why {@link #proxyAvailable()} is false, for skipped scenarios and tests. */
    public String proxyUnavailableReason() {
        return LabProxies.unavailableReason();
    }

    /** What the proxy is, for reports. */
    public String proxyDescription() {
        return proxies.description(proxyKind);
    }

    /**
     * Starts the proxy in front of the lab database, configured as RDS Proxy with these settings would be
     * in front of a server whose limit is the application role's (see {@link LabProxies}).
     */
    public Proxy startProxy(ProxySettings settings) {
        return proxies.start(proxyKind, settings);
    }

    /**
     * Starts the RDS Proxy emulator with IAM authentication: clients log in over TLS with tokens signed by the keys
     * {@link #environment} gives the functions.
     */
    public Proxy startIamProxy(ProxySettings settings) {
        return proxies.startIam(settings, IamTokens.LIFETIME);
    }

    /** The same with a token's life compressed from RDS's 15 minutes, for a test that cannot wait that long. */
    public Proxy startIamProxy(ProxySettings settings, Duration tokenLifetime) {
        return proxies.startIam(settings, tokenLifetime);
    }

    /**
     * The RDS Proxy emulator in front of the lab database, set up as {@link #startProxy} sets it (the lab's roles, the
     * role's limit as the target's) but not started and with TLS offered: for a caller that adds options of its own
     * (a pin listener, IAM, an authentication timeout), starts it and closes it.
     */
    public RdsProxyEmulator rdsProxyEmulator(ProxySettings settings) {
        return proxies.emulator(settings);
    }

    /** Starts a proxy of the given kind, whatever {@link #proxyKind()} says. */
    public Proxy startProxy(ProxyKind kind, ProxySettings settings) {
        return proxies.start(kind, settings);
    }

    /**
     * The variables of an emulated function pointed at the database ({@code proxy == null}) or at the
     * proxy. With class-loader isolation a pgjdbc socket factory lets the emulator tie each connection to
     * its environment; a process environment's connections are its process's own.
     */
    public Map<String, String> environment(Proxy proxy, Map<String, String> extra) {
        Map<String, String> environment = LabFunctions.environment(lab, isolation, proxy, extra);
        if (proxy != null && proxies.isIam(proxy)) {
            // DB_AUTH=iam: a token signed with the role's keys instead of a password, over TLS only.
            environment.remove("DB_PASSWORD");
            environment.put("DB_AUTH", "iam");
            environment.put("DB_SSLMODE", "require");
            environment.putAll(proxies.iamEnvironment());
        }
        return environment;
    }

    /**
     * An emulated function of the given variant with these variables. With a template ({@link #withTemplate}),
     * the template's function of the same handler gives its memory, timeout, reserved concurrency and variables
     * first; {@code environment} (where the database is, what a scenario sets) goes on top, and so does whatever
     * the caller sets on the function afterwards.
     */
    public EmulatedFunction function(Variant variant, Map<String, String> environment) {
        return function(variant, ExecutionModel.CLASSIC, environment);
    }

    /** The same, with the template's function of that execution model (a template may run a handler on both). */
    public EmulatedFunction function(Variant variant, ExecutionModel model, Map<String, String> environment) {
        return LabFunctions.function(variant, model, environment, isolation, jvmProfile, template());
    }

    /**
     * Takes the functions' memory, timeout, reserved concurrency and variables, and the proxy's settings
     * ({@link #proxyDefaults()}), from a template, so that what runs here is what would be deployed;
     * {@code null} goes back to the test bed's built-in values.
     */
    public TestBed withTemplate(TemplateValues values) {
        this.template = values;
        return this;
    }

    /** The JVM flags of the functions' process environments (default {@value JvmProfile#VARIABLE}, else fast). */
    public TestBed withJvmProfile(JvmProfile profile) {
        this.jvmProfile = Objects.requireNonNull(profile, "profile");
        return this;
    }

    public JvmProfile jvmProfile() {
        return jvmProfile;
    }

    /** The template this test bed takes its values from, if any. */
    public Optional<TemplateValues> template() {
        return Optional.ofNullable(template);
    }

    /** The proxy's settings before a scenario's own: the template's, else {@link ProxySettings#DEFAULTS}. */
    public ProxySettings proxyDefaults() {
        return template().map(values -> values.proxySettings(ProxySettings.DEFAULTS)).orElse(ProxySettings.DEFAULTS);
    }

    /**
     * Ends every connection of the application role and waits until the server shows none, so the next
     * scenario starts from zero.
     *
     * @throws IllegalStateException when connections remain after 10 s
     */
    public void resetConnections() {
        try {
            if (lab.awaitAppConnectionsAtMost(0, Duration.ofMillis(500))) {
                return;
            }
            lab.terminateAppConnections();
            if (!lab.awaitAppConnectionsAtMost(0, Duration.ofSeconds(10))) {
                throw new IllegalStateException("the application role still has " + lab.appConnections()
                        + " connections after terminating them");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while resetting connections", e);
        }
    }

    /** Stops any proxy still running and the server (when the test bed started it). Safe to call twice. */
    @Override
    public synchronized void close() {
        proxies.close();
        server.close();
        if (network != null) {
            network.close();
        }
    }
}
