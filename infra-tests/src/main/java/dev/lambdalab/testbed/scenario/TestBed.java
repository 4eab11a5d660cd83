package dev.lambdalab.testbed.scenario;

import dev.lambdalab.testbed.db.EmbeddedPostgresServer;
import dev.lambdalab.testbed.db.ExternalPostgresServer;
import dev.lambdalab.testbed.db.LabDatabase;
import dev.lambdalab.testbed.db.PostgresServer;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.SandboxSocketFactory;
import dev.lambdalab.testbed.proxy.PgBouncer;
import dev.lambdalab.testbed.proxy.ProxySettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The lab: a PostgreSQL server with the lab's database and roles, and the means to start PgBouncer in
 * front of it and emulated functions against either. One per run (or per test JVM); scenarios reset the
 * application role's connections between them.
 */
public final class TestBed implements AutoCloseable {

    /** Environment variable naming an external server: postgresql://SUPERUSER:PASSWORD@HOST:PORT/postgres. */
    public static final String POSTGRES_URL_VARIABLE = "TESTBED_POSTGRES_URL";

    private final PostgresServer server;
    private final LabDatabase lab;
    private final java.util.List<PgBouncer> proxies = new java.util.concurrent.CopyOnWriteArrayList<>();

    private TestBed(PostgresServer server, LabDatabase lab) {
        this.server = server;
        this.lab = lab;
    }

    /** An embedded PostgreSQL 17, started now, with max_connections well above the role's limit. */
    public static TestBed embedded(int appConnectionLimit) {
        EmbeddedPostgresServer server = new EmbeddedPostgresServer(Math.max(100, appConnectionLimit * 2 + 50)).start();
        return on(server, appConnectionLimit);
    }

    /** An external server given by URL. */
    public static TestBed external(String url, int appConnectionLimit) {
        return on(new ExternalPostgresServer(url), appConnectionLimit);
    }

    /** External when {@value #POSTGRES_URL_VARIABLE} is set, else embedded. */
    public static TestBed fromEnvironment(int appConnectionLimit) {
        String url = System.getenv(POSTGRES_URL_VARIABLE);
        return url == null || url.isBlank() ? embedded(appConnectionLimit) : external(url, appConnectionLimit);
    }

    private static TestBed on(PostgresServer server, int appConnectionLimit) {
        try {
            return new TestBed(server, LabDatabase.create(server, appConnectionLimit));
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

    public LabDatabase lab() {
        return lab;
    }

    public String description() {
        return server.description();
    }

    /** PgBouncer's binary, when installed. */
    public static Optional<java.nio.file.Path> pgBouncer() {
        return PgBouncer.find();
    }

    /**
     * Starts PgBouncer in front of the lab database, configured as RDS Proxy with these settings would be
     * in front of a server whose limit is the application role's.
     */
    public PgBouncer startProxy(ProxySettings settings) {
        PgBouncer proxy = new PgBouncer()
                .withServer(server.host(), server.port())
                .withDatabase(LabDatabase.DATABASE)
                .withUser(LabDatabase.APP_ROLE, lab.appPassword())
                .withUser(LabDatabase.MONITOR_ROLE, lab.monitorPassword())
                .withStatsUser(LabDatabase.MONITOR_ROLE)
                .configuredLike(settings, lab.appConnectionLimit());
        proxies.add(proxy); // before start: close() must stop it even if start() is interrupted
        return proxy.start();
    }

    /**
     * The variables of a function pointed at the database ({@code proxy == null}) or at the proxy. The
     * socket factory lets the emulator tie each connection to its environment.
     */
    public Map<String, String> environment(PgBouncer proxy, Map<String, String> extra) {
        Map<String, String> environment = new LinkedHashMap<>(lab.directEnvironment());
        if (proxy != null) {
            environment.put("DB_HOST", proxy.host());
            environment.put("DB_PORT", Integer.toString(proxy.port()));
            // Transaction pooling: no server-side prepared statements (the README's pgbouncer=true).
            environment.put("DB_PREPARE_THRESHOLD", "0");
        }
        environment.put("DB_JDBC_PARAMS", SandboxSocketFactory.PGJDBC_PROPERTY);
        environment.putAll(Objects.requireNonNull(extra, "extra"));
        return environment;
    }

    /** An emulated function of the given variant with these variables. */
    public EmulatedFunction function(Variant variant, Map<String, String> environment) {
        return new EmulatedFunction("lab-" + variant.label(), variant.handlerClass()).withEnvironment(environment);
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
        for (PgBouncer proxy : proxies) {
            proxy.close();
        }
        proxies.clear();
        server.close();
    }
}
