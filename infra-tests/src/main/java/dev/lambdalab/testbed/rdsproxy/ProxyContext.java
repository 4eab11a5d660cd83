package dev.lambdalab.testbed.rdsproxy;

import dev.lambdalab.testbed.proxy.ProxySettings;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the emulator's handlers share while it listens: its configuration, the credentials' verifiers, the
 * pools of database connections, the proxy-wide statement names and the metrics. One per event loop (a
 * restart makes a new one; the metrics carry over). Used on the event loop only, except {@link #snapshot}'s
 * caller waiting for it.
 */
final class ProxyContext {

    /** The emulator's configuration, fixed at start. */
    record Config(String upstreamHost, int upstreamPort, Map<String, String> passwords,
            Map<String, Scram.Verifier> verifiers, ProxySettings settings, int serverConnectionLimit, String initQuery,
            boolean requireTls, Consumer<PinEvent> pinListener, Duration authenticationTimeout, IamTokens iam,
            Set<String> iamHosts) {
    }

    private static final Logger LOG = LoggerFactory.getLogger("rds-proxy");

    private final Config config;
    private final MetricsRecorder metrics;
    private final SslContext sslContext;
    private final Map<String, String> serverParameters;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Scram.Verifier unknownUser = Scram.Verifier.of(UUID.randomUUID().toString());
    private final Map<String, DatabasePool> pools = new HashMap<>();
    private final Map<String, String> statementNames = new HashMap<>();
    private final AtomicInteger connectionIds = new AtomicInteger(1000);
    /**
     * Pinning decisions by statement text, most recently used kept: applications send the same few texts again and
     * again, and lexing each one was the largest cost of a round trip (profiled with pgbench -S).
     */
    private final Map<String, Optional<PinningRules.Pin>> pinsByText = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Optional<PinningRules.Pin>> eldest) {
            return size() > PIN_CACHE_ENTRIES;
        }
    };
    /** Clients' startup parameters, one map per distinct set, so a connection can tell it already carries them. */
    private final Map<Map<String, String>, Map<String, String>> startupSets = new HashMap<>();

    ProxyContext(Config config, MetricsRecorder metrics, SslContext sslContext, Map<String, String> serverParameters,
            EventLoopGroup group) {
        this.config = config;
        this.metrics = metrics;
        this.sslContext = sslContext;
        this.serverParameters = Map.copyOf(serverParameters);
        this.group = group;
        this.loop = group.next();
    }

    private static final int PIN_CACHE_ENTRIES = 4096;
    /** Longer texts are checked every time: they are rarely repeated, and a long key costs its own hashing. */
    private static final int PIN_CACHE_TEXT_LENGTH = 4096;
    private static final int STARTUP_SETS = 1024;

    /** Whether the text pins the session, and why: {@link PinningRules#check}, remembered per text. */
    Optional<PinningRules.Pin> pinOf(String sql) {
        if (!PinTriggers.mayPin(sql)) {
            return Optional.empty(); // before the cache: texts with a literal each time would only churn it
        }
        if (sql.length() > PIN_CACHE_TEXT_LENGTH) {
            return PinningRules.check(sql);
        }
        Optional<PinningRules.Pin> pin = pinsByText.get(sql);
        if (pin == null) {
            pin = PinningRules.check(sql);
            pinsByText.put(sql, pin);
        }
        return pin;
    }

    /** The one map for this set of startup parameters (equal sets share it; identity then means equality). */
    Map<String, String> startupSet(Map<String, String> parameters) {
        Map<String, String> shared = startupSets.get(parameters);
        if (shared != null) {
            return shared;
        }
        Map<String, String> copy = Map.copyOf(parameters);
        if (startupSets.size() < STARTUP_SETS) {
            startupSets.put(copy, copy);
        }
        return copy;
    }

    /** The same context with the server's parameters learnt at start. */
    ProxyContext withServerParameters(Map<String, String> parameters) {
        return new ProxyContext(config, metrics, sslContext, parameters, group);
    }


    ProxySettings settings() {
        return config.settings();
    }

    MetricsRecorder recorder() {
        return metrics;
    }

    String initQuery() {
        return config.initQuery();
    }

    boolean requireTls() {
        return config.requireTls();
    }

    /** The IAM token checker when clients log in with RDS auth tokens, else null (passwords). */
    IamTokens iam() {
        return config.iam();
    }

    /**
     * Why a client's IAM token does not let it in, or empty when it does: it must be signed for the endpoint the
     * client reached (this proxy's address, or localhost on a loopback one, and the port it connected to).
     */
    Optional<String> iamRefusal(String token, String user, InetSocketAddress reached) {
        int at = token.indexOf("/?");
        String endpoint = at < 0 ? "" : token.substring(0, at);
        int colon = endpoint.lastIndexOf(':');
        String host = colon < 0 ? endpoint : endpoint.substring(0, colon);
        Set<String> hosts = new HashSet<>(config.iamHosts());
        hosts.add(reached.getAddress().getHostAddress());
        if (!hosts.contains(host.toLowerCase(Locale.ROOT))) {
            return Optional.of("signed for host " + host + ", not this proxy's " + hosts);
        }
        return config.iam().refusal(token, host, reached.getPort(), user);
    }

    /** How long a client may take to log in before it is dropped. */
    Duration authenticationTimeout() {
        return config.authenticationTimeout();
    }

    SslContext sslContext() {
        return sslContext;
    }

    String upstreamHost() {
        return config.upstreamHost();
    }

    int upstreamPort() {
        return config.upstreamPort();
    }

    Map<String, String> serverParameters() {
        return serverParameters;
    }

    /** MaxConnectionsPercent of the target's limit, at least 1. */
    int maxConnections() {
        return config.settings().databaseConnections(config.serverConnectionLimit());
    }

    /** MaxIdleConnectionsPercent of the target's limit (template.yaml sets it equal to MaxConnectionsPercent). */
    int maxIdleConnections() {
        return Math.max(1, config.serverConnectionLimit() * config.settings().maxIdleConnectionsPercent() / 100);
    }

    boolean knowsUser(String user) {
        return config.passwords().containsKey(user);
    }

    /**
     * The user's SCRAM verifier. An unknown user gets one made at start from a random password, so the
     * exchange fails as a wrong password does and nothing grows per unknown name.
     */
    Scram.Verifier verifier(String user) {
        return config.verifiers().getOrDefault(user, unknownUser);
    }

    /** Whether one more client fits under the client limit; counts a refusal when not. */
    boolean admitClient() {
        if (metrics.clientConnections.get() > config.settings().maxClientConnections()) {
            metrics.clientRefusedAtLimit();
            return false;
        }
        return true;
    }

    DatabasePool pool(String user, String database) {
        return pools.computeIfAbsent(user + "\0" + database, key -> new DatabasePool(user, config.passwords().get(user),
                database, this, loop, DatabasePool.tcp(upstreamBootstrap(), upstreamHost(), upstreamPort()),
                connectionIds::incrementAndGet));
    }

    private Bootstrap upstreamBootstrap() {
        return new Bootstrap().group(group).channel(Transport.current().socketChannel());
    }

    /** The proxy-wide name of a named statement's text and parameter types: the same text shares one name. */
    String statementName(String query, byte[] parameterTypes) {
        String key = query + '\0' + HexFormat.of().formatHex(parameterTypes);
        return statementNames.computeIfAbsent(key, k -> "rdsproxy_" + (statementNames.size() + 1));
    }

    void pinned(int databaseConnection, PinningRules.Pin pin, int clientPort) {
        metrics.sessionPinned(pin.reason());
        String line = "The client session was pinned to the database connection [dbConnection=" + databaseConnection
                + "] for the remainder of the session. The proxy can't reuse this connection until the session ends."
                + " Reason: " + pin.describe();
        LOG.warn("rds-proxy: {}", line);
        config.pinListener().accept(new PinEvent(pin.reason(), pin.digest(), clientPort, line));
    }

    /** RDS Proxy's INFO line at a Parse whose statement would pin (quoted in prisma/orm issue 5866). */
    void wouldPin(int databaseConnection, PinningRules.Pin pin) {
        log("If this prepared statement runs, the client session will be pinned to the database connection [dbConnection="
                + databaseConnection + "]. Reason: " + pin.describe());
    }

    void cancelRequestDropped() {
        metrics.cancelRequestDropped();
        log("CancelRequest dropped: RDS Proxy for PostgreSQL does not forward cancel requests");
    }

    void databaseConnectionOpening() {
        metrics.databaseConnectionsOpened.increment();
    }

    void databaseConnectionFailed(String reason) {
        metrics.databaseConnectionFailed();
        log(reason);
    }

    void log(String line) {
        LOG.info("rds-proxy: {}", line);
    }

    /** The metrics now, with the pools' gauges; call on the event loop. */
    ProxyMetrics snapshot() {
        int connections = 0;
        int pinned = 0;
        int busy = 0;
        int inTransaction = 0;
        int waiting = 0;
        for (DatabasePool pool : pools.values()) {
            connections += pool.size();
            pinned += pool.pinned();
            busy += pool.busy();
            inTransaction += pool.inTransaction();
            waiting += pool.waiting();
        }
        return metrics.snapshot(ProxyMetrics.builder().databaseConnections(connections)
                .databaseConnectionsCurrentlySessionPinned(pinned).databaseConnectionsBorrowed(busy)
                .databaseConnectionsInTransaction(inTransaction).maxDatabaseConnectionsAllowed(maxConnections())
                .clientsWaiting(waiting));
    }

    /** Closes every pool's connections (the emulator stops or restarts); call on the event loop. */
    void closePools() {
        pools.values().forEach(DatabasePool::closeAll);
        pools.clear();
    }
}
