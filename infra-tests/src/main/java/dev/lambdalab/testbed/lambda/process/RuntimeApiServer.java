package dev.lambdalab.testbed.lambda.process;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Lambda Runtime API, version 2018-06-01, on a loopback port: what a runtime (here AWS's Java runtime
 * interface client) polls for its next event and posts its answer to. What each path does is
 * {@link RuntimeEndpoint}'s; this class is the HTTP server and decides which environment an exchange
 * belongs to.
 *
 * <p>Usually that is one environment per server. A SnapStart snapshot is different: the address is part of
 * the snapshot (the runtime client read AWS_LAMBDA_RUNTIME_API during init), so every copy restored from it
 * talks to the same port, and a {@link Router} tells them apart by the connection (the {@code snapstart} package's {@code Snapshot}).
 */
public final class RuntimeApiServer implements AutoCloseable {

    /** Picks the environment an exchange comes from, by the caller's address; null when none is known. */
    @FunctionalInterface
    public interface Router {
        RuntimeEndpoint route(InetSocketAddress caller);
    }

    static final String PREFIX = "/2018-06-01/runtime/";
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final HttpServer server;
    private final ExecutorService executor;
    private volatile Router router;

    static {
        // The JDK server leaves Nagle's algorithm on unless told: headers and body then wait for the client's
        // delayed ACK, about 40 ms per answer. Read once, when the server implementation loads.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /** A server for one environment. */
    RuntimeApiServer(RuntimeEndpoint endpoint) {
        this(caller -> endpoint);
        Objects.requireNonNull(endpoint, "endpoint");
    }

    public RuntimeApiServer(Router router) {
        this.router = Objects.requireNonNull(router, "router");
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start a Runtime API server: " + e.getMessage(), e);
        }
        // A thread per request: the long poll for the next event blocks its thread until there is one.
        executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "runtime-api-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext(PREFIX, this::handle);
        server.start();
    }

    /** Routes later exchanges elsewhere: from the snapshotted environment to its copies. */
    public void reroute(Router next) {
        this.router = Objects.requireNonNull(next, "next");
    }

    /** The value of AWS_LAMBDA_RUNTIME_API: {@code host:port}. */
    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        RuntimeEndpoint endpoint = router.route(exchange.getRemoteAddress());
        if (endpoint == null) {
            try (exchange) {
                RuntimeEndpoint.send(exchange, 403, "{\"errorMessage\":\"no environment of this Runtime API holds the"
                        + " connection from " + exchange.getRemoteAddress() + "\",\"errorType\":\"UnknownEnvironment\"}");
            }
            return;
        }
        endpoint.handle(exchange);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
