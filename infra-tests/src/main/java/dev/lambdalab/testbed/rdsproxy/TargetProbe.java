package dev.lambdalab.testbed.rdsproxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The emulator's check of its target at start, as RDS Proxy checks a target's availability: one login
 * with the proxy's credentials, which also gives the server's parameters (server_version, TimeZone, ...).
 */
final class TargetProbe {

    private TargetProbe() {
    }

    /**
     * Logs in once with the user's credentials on the given event loop group, and returns the server's
     * parameters that clients are told at their login.
     *
     * @throws IllegalStateException when the target refuses or does not answer within 10 s
     */
    static Map<String, String> login(EventLoopGroup group, String upstreamHost, int upstreamPort,
            Map.Entry<String, String> user, String database) {
        CompletableFuture<Map<String, String>> result = new CompletableFuture<>();
        DatabaseConnection probe = new DatabaseConnection(0, user.getKey(), user.getValue(), database, "",
                new DatabaseConnection.Listener() {
                    @Override
                    public void ready(DatabaseConnection connection) {
                        result.complete(Map.copyOf(connection.serverParameters()));
                        connection.close();
                    }

                    @Override
                    public void failed(DatabaseConnection connection, DatabaseConnection.LoginFailure failure) {
                        result.completeExceptionally(new IllegalStateException(failure.reason()));
                    }

                    @Override
                    public void closed(DatabaseConnection connection) {
                        result.completeExceptionally(new IllegalStateException("PostgreSQL closed the connection"));
                    }
                });
        new Bootstrap().group(group).channel(Transport.current().socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(new PgDecoder(true), probe);
                    }
                }).connect(upstreamHost, upstreamPort).addListener(f -> {
                    if (!f.isSuccess()) {
                        result.completeExceptionally(f.cause());
                    }
                });
        try {
            Map<String, String> parameters = new LinkedHashMap<>(result.get(10, TimeUnit.SECONDS));
            parameters.keySet().retainAll(Set.of("server_version", "server_encoding", "DateStyle",
                    "IntervalStyle", "TimeZone", "integer_datetimes", "standard_conforming_strings",
                    "default_transaction_read_only", "in_hot_standby", "client_encoding"));
            return parameters;
        } catch (ExecutionException e) {
            throw new IllegalStateException("the proxy's target " + upstreamHost + ":" + upstreamPort
                    + " is not available: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the proxy's target " + upstreamHost + ":" + upstreamPort
                    + " did not complete a login within 10 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the proxy's target", e);
        }
    }

}
