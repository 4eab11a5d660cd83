package dev.lambdalab.testbed.rdsproxy;

import dev.lambdalab.testbed.proxy.PoolsSnapshot;
import dev.lambdalab.testbed.proxy.Proxy;
import dev.lambdalab.testbed.proxy.ProxyKind;
import dev.lambdalab.testbed.proxy.ProxySettings;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An RDS Proxy for PostgreSQL in the test bed's JVM: PostgreSQL's wire protocol on one Netty event loop,
 * with RDS Proxy's documented behaviour. Clients (pgjdbc, psql, pgbench) log in with the credentials the
 * proxy holds (the secret's) over SCRAM-SHA-256, optionally over TLS; transactions are multiplexed onto
 * at most MaxConnectionsPercent of the target's connection limit; the conditions of
 * {@link PinningRules} pin a session, with RDS Proxy's log line; the waits and refusals use RDS Proxy's
 * texts; {@link #metrics()} gives CloudWatch's metrics.
 *
 * <p>Everything the proxy does happens on its single event-loop thread (as in PgBouncer, which is single
 * threaded too), so its state needs no locks; other threads read it through {@link #metrics()}.
 */
public final class RdsProxyEmulator implements Proxy {

    /**
     * How long a client may take to log in: PostgreSQL's {@code authentication_timeout} default. RDS Proxy documents
     * no such limit; ours, so that a client that stops half-way through SCRAM does not hold a connection forever.
     */
    public static final Duration DEFAULT_AUTHENTICATION_TIMEOUT = Duration.ofSeconds(60);

    private static final Logger LOG = LoggerFactory.getLogger("rds-proxy");

    private final String upstreamHost;
    private final int upstreamPort;
    private final Map<String, String> passwords = new LinkedHashMap<>();
    private final Map<String, Scram.Verifier> verifiers = new HashMap<>();
    private final MetricsRecorder metrics = new MetricsRecorder();
    private ProxySettings settings = ProxySettings.DEFAULTS;
    private int serverConnectionLimit = 100;
    private String initQuery = "";
    private String database = "postgres";
    private boolean requireTls;
    private boolean tls = true;
    private String listenHost = "127.0.0.1";
    private Duration authenticationTimeout = DEFAULT_AUTHENTICATION_TIMEOUT;
    private final Map<String, String> iamKeys = new HashMap<>();
    private Clock iamClock = Clock.systemUTC();
    private Duration iamTokenLifetime = IamTokens.LIFETIME;
    private int port;
    private ProxyListener listener;
    private Consumer<PinEvent> pinListener = event -> { };
    private Map<String, String> serverParameters = Map.of();
    private SslContext sslContext;
    private ProxyContext context;

    /** A proxy for the PostgreSQL server at this address (RDS Proxy's target). */
    public RdsProxyEmulator(String upstreamHost, int upstreamPort) {
        this.upstreamHost = Objects.requireNonNull(upstreamHost, "upstreamHost");
        if (upstreamPort < 1 || upstreamPort > 65_535) {
            throw new IllegalArgumentException("upstream port must be from 1 to 65535, got " + upstreamPort);
        }
        this.upstreamPort = upstreamPort;
    }

    /** A user and password the proxy holds (a secret of its auth configuration); clients log in with them. */
    public RdsProxyEmulator withUser(String user, String password) {
        notStarted();
        passwords.put(Objects.requireNonNull(user, "user"), Objects.requireNonNull(password, "password"));
        return this;
    }

    /** MaxConnectionsPercent, ConnectionBorrowTimeout, IdleClientTimeout, the client limit. */
    public RdsProxyEmulator withSettings(ProxySettings settings) {
        notStarted();
        this.settings = Objects.requireNonNull(settings, "settings");
        return this;
    }

    /**
     * The target's connection limit (max_connections, or the application role's connection limit in the test bed), of
     * which the proxy takes its percentage.
     */
    public RdsProxyEmulator withServerConnectionLimit(int limit) {
        notStarted();
        if (limit < 1) {
            throw new IllegalArgumentException("server connection limit must be at least 1, got " + limit);
        }
        this.serverConnectionLimit = limit;
        return this;
    }

    /** The database the proxy checks at start and warms up against (default postgres). */
    public RdsProxyEmulator withDatabase(String name) {
        notStarted();
        this.database = Objects.requireNonNull(name, "name");
        return this;
    }

    /** The target group's InitQuery, run once on every new database connection. */
    public RdsProxyEmulator withInitQuery(String sql) {
        notStarted();
        this.initQuery = Objects.requireNonNull(sql, "sql");
        return this;
    }

    /** RequireTLS: refuse clients that do not ask for TLS. */
    public RdsProxyEmulator withRequireTls(boolean required) {
        notStarted();
        this.requireTls = required;
        if (required) {
            this.tls = true;
        }
        return this;
    }

    /**
     * Whether TLS is offered (the default): an SSLRequest is accepted and a certificate made at start is
     * presented. Off, the proxy refuses it and clients with sslmode=prefer go on in plain text.
     */
    public RdsProxyEmulator withTls(boolean offered) {
        notStarted();
        if (!offered && requireTls) {
            throw new IllegalArgumentException("TLS cannot be off while RequireTLS is on");
        }
        this.tls = offered;
        return this;
    }

    /** The port to listen on, 0 for a free one (the default). */
    public RdsProxyEmulator withPort(int port) {
        notStarted();
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be from 0 to 65535, got " + port);
        }
        this.port = port;
        return this;
    }

    /**
     * IAM authentication, as a proxy whose secrets have {@code IAMAuth: REQUIRED}: clients log in with an RDS auth
     * token (a SigV4-presigned {@code rds-db:connect} URL, signed with one of these keys, valid 15 minutes) as their
     * password, over TLS only; the proxy logs in to the database with the secret's password, as RDS Proxy does.
     * TLS is turned on.
     *
     * @param accessKeyId the access key id clients sign with (not a secret)
     * @param secretAccessKey its secret key, never logged
     */
    public RdsProxyEmulator withIamAuthentication(String accessKeyId, String secretAccessKey) {
        return withIamAuthentication(accessKeyId, secretAccessKey, Clock.systemUTC());
    }

    /** The same, with the clock tokens' expiry is checked against (a test moves it instead of waiting 15 minutes). */
    public RdsProxyEmulator withIamAuthentication(String accessKeyId, String secretAccessKey, Clock clock) {
        notStarted();
        this.iamClock = Objects.requireNonNull(clock, "clock");
        iamKeys.put(Objects.requireNonNull(accessKeyId, "accessKeyId"),
                Objects.requireNonNull(secretAccessKey, "secretAccessKey"));
        this.tls = true;
        return this;
    }

    /**
     * Compresses a token's 15-minute life, for a test of what happens after it (a SnapStart copy restored later than
     * that) that cannot wait 15 minutes. RDS's own is fixed.
     */
    public RdsProxyEmulator withIamTokenLifetime(Duration lifetime) {
        notStarted();
        this.iamTokenLifetime = Objects.requireNonNull(lifetime, "lifetime");
        return this;
    }

    /** The host names a token may be signed for: the address the proxy listens on, and localhost for a loopback one. */
    private Set<String> iamHosts() {
        Set<String> hosts = new HashSet<>(Set.of(listenHost));
        if (listenHost.startsWith("127.")) {
            hosts.add("localhost");
        }
        return hosts;
    }

    /** How long a client may take to log in before it is dropped (default {@link #DEFAULT_AUTHENTICATION_TIMEOUT}). */
    public RdsProxyEmulator withAuthenticationTimeout(Duration timeout) {
        notStarted();
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.toMillis() < 100 || timeout.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("authentication timeout must be from 100ms to 1h, got "
                    + timeout.toMillis() + "ms");
        }
        this.authenticationTimeout = timeout;
        return this;
    }

    /** Told each pin line (RDS Proxy's wording), besides the log. */
    public RdsProxyEmulator withPinListener(Consumer<String> listener) {
        Objects.requireNonNull(listener, "listener");
        return withPinEvents(event -> listener.accept(event.line()));
    }

    /** Told each pin with its reason, digest and client port, on the proxy's event loop: the listener must not block. */
    public RdsProxyEmulator withPinEvents(Consumer<PinEvent> listener) {
        notStarted();
        this.pinListener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * The address to listen on (default 127.0.0.1): another loopback address, such as 127.0.0.2, lets the proxy take
     * PostgreSQL's port 5432 beside a database on 127.0.0.1, as an RDS Proxy endpoint has a host of its own.
     */
    public RdsProxyEmulator withListenHost(String host) {
        notStarted();
        this.listenHost = Objects.requireNonNull(host, "host");
        return this;
    }

    /**
     * Starts listening. First checks the target the way RDS Proxy checks its targets: one login with the
     * first user's credentials, which also gives the server's parameters that clients are told at login.
     *
     * @throws IllegalStateException when the target refuses or does not answer
     */
    public RdsProxyEmulator start() {
        notStarted();
        if (passwords.isEmpty()) {
            throw new IllegalStateException("the proxy holds no credentials: call withUser(user, password)");
        }
        passwords.forEach((user, password) -> verifiers.put(user, Scram.Verifier.of(password)));
        sslContext = tls ? SelfSignedTls.serverContext() : null;
        listener = new ProxyListener(listenHost, port);
        EventLoopGroup group = newEventLoop();
        try {
            serverParameters = TargetProbe.login(group, upstreamHost, upstreamPort,
                    passwords.entrySet().iterator().next(), database);
            context = context.withServerParameters(serverParameters);
            listener.bind(context, metrics, settings.idleClientTimeout());
            port = listener.port();
            warmUp();
        } catch (RuntimeException e) {
            listener.abandon();
            throw e;
        }
        LOG.info("rds-proxy: listening on {}:{} ({}) for {}:{}, {} database connections, borrow timeout {} s",
                listenHost, port, Transport.current().label(), upstreamHost, upstreamPort, context.maxConnections(),
                settings.connectionBorrowTimeout().toSeconds());
        return this;
    }

    /** A new event loop, and the context the connections share on it. */
    private EventLoopGroup newEventLoop() {
        EventLoopGroup group = listener.newEventLoop();
        context = new ProxyContext(new ProxyContext.Config(upstreamHost, upstreamPort, Map.copyOf(passwords),
                Map.copyOf(verifiers), settings, serverConnectionLimit, initQuery, requireTls, pinListener,
                authenticationTimeout, iamKeys.isEmpty() ? null : new IamTokens(iamKeys, iamClock, iamTokenLifetime),
                iamHosts()), metrics,
                sslContext, serverParameters, group);
        return group;
    }

    /**
     * {@link Warmup} through the proxy itself, then back to a clean state: the warm-up's database connections
     * closed (they would hold the target's slots) and its traffic left out of the metrics.
     */
    private void warmUp() {
        Map.Entry<String, String> user = passwords.entrySet().iterator().next();
        Warmup.once(listenHost, port, user.getKey(), user.getValue(), database);
        listener.loop().submit(context::closePools).syncUninterruptibly();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (metrics.clientConnections.get() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        metrics.reset();
    }

    private void notStarted() {
        if (listener != null && listener.started()) {
            throw new IllegalStateException("the proxy is started: configure it before start()");
        }
    }

    // --- Proxy ---

    /** CloudWatch's metrics now; waits up to a second for the event loop. */
    public ProxyMetrics metrics() {
        ProxyListener current = listener;
        if (current == null || !current.running()) {
            return metrics.snapshot(ProxyMetrics.builder());
        }
        try {
            return current.loop().submit(context::snapshot).get(1, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the proxy's event loop does not answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the proxy's metrics", e);
        }
    }

    /** Client connections accepted since the start (the warm-up's left out): what functions opened to the proxy. */
    public long clientConnectionsAccepted() {
        return metrics.clientConnectionsAccepted.sum();
    }

    /** Database connections the proxy opened since the start (the warm-up's left out). */
    public long databaseConnectionsOpened() {
        return metrics.databaseConnectionsOpened.sum();
    }

    @Override
    public PoolsSnapshot pools() {
        ProxyMetrics now = metrics();
        return new PoolsSnapshot(now.clientConnections() - now.clientsWaiting(), now.clientsWaiting(),
                now.databaseConnectionsBorrowed(), now.databaseConnections() - now.databaseConnectionsBorrowed(), 0, 0,
                now.databaseConnectionsCurrentlySessionPinned());
    }

    @Override
    public Map<String, Long> pinReasons() {
        return metrics.pinReasons();
    }

    @Override
    public ProxyKind kind() {
        return ProxyKind.RDS_PROXY;
    }

    @Override
    public String host() {
        return listenHost;
    }

    @Override
    public int port() {
        return port;
    }

    /** This JVM: the emulator runs on a thread of the test bed's own process. */
    @Override
    public Optional<ProcessHandle> process() {
        return Optional.of(ProcessHandle.current());
    }

    @Override
    public int poolSize() {
        return settings.databaseConnections(serverConnectionLimit);
    }

    @Override
    public int maxClientConnections() {
        return settings.maxClientConnections();
    }

    /** Drops every client and database connection, stays away {@code downtime}, and listens again on the same port. */
    @Override
    public synchronized void restart(Duration downtime) {
        if (listener == null || !listener.started()) {
            throw new IllegalStateException("the proxy is not started");
        }
        listener.stop(context::closePools);
        try {
            Thread.sleep(downtime.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during the proxy's downtime", e);
        }
        newEventLoop();
        listener.bind(context, metrics, settings.idleClientTimeout());
    }

    @Override
    public synchronized void close() {
        if (listener != null && listener.started()) {
            listener.stop(context::closePools);
        }
    }

    @Override
    public String toString() {
        return "RdsProxyEmulator{" + listenHost + ":" + port + " -> " + upstreamHost + ":" + upstreamPort + ", users="
                + passwords.keySet() + ", maxConnections=" + poolSize() + "}";
    }
}
