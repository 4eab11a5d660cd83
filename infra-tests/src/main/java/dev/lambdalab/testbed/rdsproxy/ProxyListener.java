package dev.lambdalab.testbed.rdsproxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The emulator's one event loop and its listening socket. Each accepted client gets an idle timer
 * (IdleClientTimeout), the wire decoder and the login handshake; it is counted in the ClientConnections metric
 * and kept in a group, so that a restart or close ends it (the event loop's shutdown alone left some open).
 * A restart makes a new loop and binds the same port again.
 */
final class ProxyListener {

    private final String host;
    private int port;
    private EventLoopGroup group;
    private EventLoop loop;
    private Channel server;
    private ChannelGroup clients;

    /** Listens on this address; port 0 picks a free one, kept across restarts. */
    ProxyListener(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** A new event loop, on one daemon thread named rds-proxy. */
    EventLoopGroup newEventLoop() {
        group = new MultiThreadIoEventLoopGroup(1, runnable -> {
            Thread thread = new Thread(runnable, "rds-proxy");
            thread.setDaemon(true);
            return thread;
        }, Transport.current().ioHandlerFactory());
        loop = group.next();
        return group;
    }

    /** Accepts clients for this context. */
    void bind(ProxyContext context, MetricsRecorder metrics, Duration idleClientTimeout) {
        clients = new DefaultChannelGroup("rds-proxy-clients", loop);
        server = new ServerBootstrap().group(group).channel(Transport.current().serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        clients.add(channel);
                        metrics.clientConnections.incrementAndGet();
                        metrics.clientConnectionsAccepted.increment();
                        channel.closeFuture().addListener(f -> {
                            metrics.clientConnections.decrementAndGet();
                            metrics.clientConnectionsClosed.increment();
                        });
                        PgDecoder decoder = new PgDecoder(false);
                        channel.pipeline().addLast(new IdleClientTimer(idleClientTimeout,
                                metrics::idleClientClosed), decoder, new FrontendHandshake(context, decoder));
                    }
                }).bind(host, port).syncUninterruptibly().channel();
        port = ((InetSocketAddress) server.localAddress()).getPort();
    }

    int port() {
        return port;
    }

    EventLoop loop() {
        return loop;
    }

    /** Whether the event loop runs (started and not shutting down). */
    boolean running() {
        return group != null && !group.isShuttingDown();
    }

    boolean started() {
        return group != null;
    }

    /** Shuts the loop down at once, after a failed start. */
    void abandon() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        group = null;
    }

    /**
     * Stops accepting, closes every database connection ({@code closePools}, on the loop), then every client,
     * and ends the event loop.
     */
    void stop(Runnable closePools) {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        loop.submit(closePools).awaitUninterruptibly(2, TimeUnit.SECONDS);
        if (clients != null) {
            clients.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        group = null;
    }
}
