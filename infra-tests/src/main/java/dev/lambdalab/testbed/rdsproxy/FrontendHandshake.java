package dev.lambdalab.testbed.rdsproxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.ssl.SslContext;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A client's way in: SSLRequest (TLS with the emulator's certificate, or 'N'), GSSENCRequest ('N'),
 * CancelRequest (dropped: RDS Proxy for PostgreSQL does not forward cancel requests), the StartupMessage
 * and a SCRAM-SHA-256 login against the credentials the proxy holds (its secret's). Then it hands the
 * channel to a {@link ClientSession}.
 *
 * <p>Refusals follow RDS Proxy: a plain connection when TLS is required; the {@code options} startup
 * parameter ("Feature not supported: RDS Proxy currently doesn't support command-line options."); a
 * client beyond the proxy's client limit.
 */
final class FrontendHandshake extends SimpleChannelInboundHandler<ByteBuf> {

    private final ProxyContext proxy;
    private final PgDecoder decoder;
    private boolean tls;
    private String user;
    private String database;
    private Map<String, String> parameters;
    private Scram.ServerExchange scram;
    private Scram.Verifier verifier;

    FrontendHandshake(ProxyContext proxy, PgDecoder decoder) {
        this.proxy = proxy;
        this.decoder = decoder;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext context, ByteBuf message) {
        if (parameters == null) {
            startupPacket(context, message);
        } else {
            saslMessage(context, message);
        }
    }

    private void startupPacket(ChannelHandlerContext context, ByteBuf message) {
        Wire.Reader body = Wire.body(message, false);
        int code = body.int32();
        switch (code) {
            case Wire.SSL_REQUEST -> {
                SslContext ssl = proxy.sslContext();
                if (ssl == null || tls) {
                    context.writeAndFlush(context.alloc().buffer(1).writeByte('N'));
                    return;
                }
                tls = true;
                context.writeAndFlush(context.alloc().buffer(1).writeByte('S'));
                context.pipeline().addFirst("tls", ssl.newHandler(context.alloc()));
            }
            case Wire.GSSENC_REQUEST -> context.writeAndFlush(context.alloc().buffer(1).writeByte('N'));
            case Wire.CANCEL_REQUEST -> {
                // RDS Proxy for PostgreSQL does not pass cancel requests on; the query runs to its end.
                proxy.cancelRequestDropped();
                context.close();
            }
            case Wire.PROTOCOL_3 -> startup(context, body);
            default -> refuse(context, "0A000", "unsupported frontend protocol " + (code >>> 16) + "." + (code & 0xffff)
                    + ": the proxy speaks 3.0");
        }
    }

    private void startup(ChannelHandlerContext context, Wire.Reader body) {
        decoder.typed();
        Map<String, String> startup = new LinkedHashMap<>();
        while (body.hasMore()) {
            String name = body.cstring();
            if (name.isEmpty()) {
                break;
            }
            startup.put(name, body.cstring());
        }
        user = startup.remove("user");
        database = startup.getOrDefault("database", user);
        startup.remove("database");
        parameters = startup;
        if (proxy.requireTls() && !tls) {
            refuse(context, "28000", "This RDS Proxy requires TLS connections.");
        } else if (startup.containsKey("options")) {
            refuse(context, "0A000", "Feature not supported: RDS Proxy currently doesn't support command-line options.");
        } else if (startup.containsKey("replication")) {
            refuse(context, "0A000", "Feature not supported: RDS Proxy doesn't support replication connections.");
        } else if (user == null || user.isEmpty()) {
            refuse(context, "28000", "no PostgreSQL user name specified in startup packet");
        } else if (!proxy.admitClient()) {
            refuse(context, "53300", RdsProxyEmulator.CLIENT_LIMIT_TEXT);
        } else {
            verifier = proxy.verifier(user);
            context.writeAndFlush(Wire.authentication(context.alloc(), 10,
                    (Scram.MECHANISM + "\0\0").getBytes(StandardCharsets.UTF_8)));
        }
    }

    private void saslMessage(ChannelHandlerContext context, ByteBuf message) {
        if (Wire.type(message) != 'p') {
            refuse(context, "08P01", "expected a SASL response, got message type '" + Wire.type(message) + "'");
            return;
        }
        Wire.Reader body = Wire.body(message, true);
        try {
            if (scram == null) {
                String mechanism = body.cstring();
                if (!Scram.MECHANISM.equals(mechanism)) {
                    refuse(context, "28000", "SASL authentication mechanism " + mechanism + " is not supported: use "
                            + Scram.MECHANISM);
                    return;
                }
                int length = body.int32();
                scram = new Scram.ServerExchange(verifier);
                String serverFirst = scram.serverFirst(new String(body.bytes(length), StandardCharsets.UTF_8));
                context.writeAndFlush(Wire.authentication(context.alloc(), 11, serverFirst.getBytes(StandardCharsets.UTF_8)));
                return;
            }
            String serverFinal = scram.serverFinal(new String(body.rest(), StandardCharsets.UTF_8));
            if (!proxy.knowsUser(user)) {
                throw new Scram.AuthenticationException("unknown user");
            }
            context.write(Wire.authentication(context.alloc(), 12, serverFinal.getBytes(StandardCharsets.UTF_8)));
            loggedIn(context);
        } catch (Scram.AuthenticationException | IllegalArgumentException e) {
            // PostgreSQL's wording, which drivers and FailureClassifier know; the reason stays in the proxy's log.
            proxy.log("login of user \"" + user + "\" refused: " + e.getMessage());
            refuse(context, "28P01", "password authentication failed for user \"" + user + "\"");
        }
    }

    private void loggedIn(ChannelHandlerContext context) {
        context.write(Wire.authentication(context.alloc(), 0, new byte[0]));
        Map<String, String> status = new LinkedHashMap<>(proxy.serverParameters());
        status.put("session_authorization", user);
        status.put("is_superuser", "off");
        status.putAll(parameters);
        status.putIfAbsent("application_name", "");
        status.forEach((name, value) -> context.write(Wire.parameterStatus(context.alloc(), name, value)));
        ThreadLocalRandom random = ThreadLocalRandom.current();
        context.write(Wire.backendKeyData(context.alloc(), random.nextInt(1, Integer.MAX_VALUE), random.nextInt()));
        context.writeAndFlush(Wire.readyForQuery(context.alloc(), 'I'));
        context.pipeline().replace(this, "session", new ClientSession(proxy, proxy.pool(user, database), parameters));
    }

    private void refuse(ChannelHandlerContext context, String sqlState, String text) {
        proxy.log("client " + context.channel().remoteAddress() + " refused: " + text);
        context.writeAndFlush(Wire.error(context.alloc(), "FATAL", sqlState, text)).addListener(f -> context.close());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        proxy.log("client " + context.channel().remoteAddress() + ": " + cause.getMessage());
        context.close();
    }
}
