package dev.lambdalab.testbed.rdsproxy;

import dev.lambdalab.testbed.pgwire.EncryptionResponse;
import dev.lambdalab.testbed.pgwire.FrontendMessage;
import dev.lambdalab.testbed.pgwire.TransactionStatus;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A client's way in: SSLRequest (TLS with the emulator's certificate, or refused), GSSENCRequest (refused),
 * CancelRequest (dropped: RDS Proxy for PostgreSQL does not forward cancel requests), the StartupMessage
 * and a SCRAM-SHA-256 login against the credentials the proxy holds (its secret's). Then it hands the
 * channel to a {@link ClientSession}.
 *
 * <p>Refusals use RDS Proxy's texts ({@link ProxyTexts}): a plain connection when TLS is required, a startup
 * parameter it does not support ({@code statement_timeout}, {@code options}), replication, a missing user, a role it
 * holds no secret for, a wrong password, a client beyond the client limit. A client that has not finished logging in
 * after the authentication timeout is dropped, as PostgreSQL drops it after {@code authentication_timeout}.
 */
final class FrontendHandshake extends SimpleChannelInboundHandler<ByteBuf> {

    /** Authentication request codes ("Message Formats": AuthenticationOk, CleartextPassword, SASL, ...). */
    private static final int AUTH_OK = 0;
    private static final int AUTH_CLEARTEXT = 3;
    private static final int AUTH_SASL = 10;
    private static final int AUTH_SASL_CONTINUE = 11;
    private static final int AUTH_SASL_FINAL = 12;

    private final ProxyContext proxy;
    private final PgDecoder decoder;
    private boolean tls;
    private String user;
    private String database;
    private Map<String, String> parameters;
    private Scram.ServerExchange scram;
    private Scram.Verifier verifier;
    private ScheduledFuture<?> loginTimer;

    FrontendHandshake(ProxyContext proxy, PgDecoder decoder) {
        this.proxy = proxy;
        this.decoder = decoder;
    }

    /** Starts the authentication timeout: a client still logging in when it runs out is dropped. */
    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        loginTimer = context.executor().schedule(() -> {
            if (context.channel().isActive() && context.pipeline().get(FrontendHandshake.class) == this) {
                // PostgreSQL's text and code for authentication_timeout (RDS Proxy documents none).
                refuse(context, "57014", "canceling authentication due to timeout");
            }
        }, proxy.authenticationTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext context) {
        if (loginTimer != null) {
            loginTimer.cancel(false);
        }
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
                    context.writeAndFlush(context.alloc().buffer(1).writeByte(EncryptionResponse.REFUSED.code()));
                    return;
                }
                tls = true;
                context.writeAndFlush(context.alloc().buffer(1).writeByte(EncryptionResponse.ACCEPTED.code()));
                context.pipeline().addFirst("tls", ssl.newHandler(context.alloc()));
            }
            case Wire.GSSENC_REQUEST -> context.writeAndFlush(context.alloc().buffer(1)
                    .writeByte(EncryptionResponse.REFUSED.code()));
            case Wire.CANCEL_REQUEST -> {
                // RDS Proxy for PostgreSQL does not pass cancel requests on; the query runs to its end.
                proxy.cancelRequestDropped();
                context.close();
            }
            case Wire.PROTOCOL_3 -> startup(context, body);
            default -> refuse(context, "0A000", ProxyTexts.PROTOCOL_3_ONLY);
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
        String unsupported = startup.keySet().stream().filter(name -> !name.equals("replication")
                && !ProxyTexts.supportedStartupParameter(name)).findFirst().orElse(null);
        if (proxy.requireTls() && !tls) {
            refuse(context, "28000", ProxyTexts.TLS_REQUIRED);
        } else if (startup.containsKey("replication")) {
            refuse(context, "0A000", ProxyTexts.NO_REPLICATION);
        } else if (unsupported != null) {
            refuse(context, "0A000", ProxyTexts.unsupportedOption(unsupported));
        } else if (user == null || user.isEmpty()) {
            refuse(context, "28000", ProxyTexts.USER_MISSING);
        } else if (!proxy.knowsUser(user)) {
            refuse(context, "28000", ProxyTexts.noCredentials(user));
        } else if (!proxy.admitClient()) {
            refuse(context, "53300", ProxyTexts.clientLimit(proxy.settings().maxClientConnections()));
        } else if (proxy.iam() != null) {
            if (!tls) {
                refuse(context, "28000", ProxyTexts.IAM_NEEDS_TLS);
                return;
            }
            // The token is the password, so it is asked for in clear text: over TLS only.
            context.writeAndFlush(Wire.authentication(context.alloc(), AUTH_CLEARTEXT, new byte[0]));
        } else {
            verifier = proxy.verifier(user);
            context.writeAndFlush(Wire.authentication(context.alloc(), AUTH_SASL,
                    (Scram.MECHANISM + "\0\0").getBytes(StandardCharsets.UTF_8)));
        }
    }

    private void saslMessage(ChannelHandlerContext context, ByteBuf message) {
        if (Wire.frontendType(message) != FrontendMessage.PASSWORD) {
            refuse(context, "08P01", "expected a SASL response (PasswordMessage), got message type '"
                    + (char) message.getByte(message.readerIndex()) + "'");
            return;
        }
        Wire.Reader body = Wire.body(message, true);
        if (proxy.iam() != null) {
            Optional<String> refusal = proxy.iamRefusal(body.cstring(), user,
                    (InetSocketAddress) context.channel().localAddress());
            if (refusal.isPresent()) {
                proxy.log("IAM login of user \"" + user + "\" refused: " + refusal.get()); // never the token
                refuse(context, "28P01", ProxyTexts.iamFailed(user));
            } else {
                loggedIn(context);
            }
            return;
        }
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
                context.writeAndFlush(Wire.authentication(context.alloc(), AUTH_SASL_CONTINUE,
                        serverFirst.getBytes(StandardCharsets.UTF_8)));
                return;
            }
            String serverFinal = scram.serverFinal(new String(body.rest(), StandardCharsets.UTF_8));
            context.write(Wire.authentication(context.alloc(), AUTH_SASL_FINAL,
                    serverFinal.getBytes(StandardCharsets.UTF_8)));
            loggedIn(context);
        } catch (Scram.AuthenticationException | IllegalArgumentException e) {
            proxy.log("login of user \"" + user + "\" refused: " + e.getMessage());
            refuse(context, "28P01", ProxyTexts.wrongPassword(user));
        }
    }

    private void loggedIn(ChannelHandlerContext context) {
        proxy.recorder().clientSetUp();
        context.write(Wire.authentication(context.alloc(), AUTH_OK, new byte[0]));
        Map<String, String> status = new LinkedHashMap<>(proxy.serverParameters());
        status.put("session_authorization", user);
        status.put("is_superuser", "off");
        status.putAll(parameters);
        status.putIfAbsent("application_name", "");
        status.forEach((name, value) -> context.write(Wire.parameterStatus(context.alloc(), name, value)));
        ThreadLocalRandom random = ThreadLocalRandom.current();
        context.write(Wire.backendKeyData(context.alloc(), random.nextInt(1, Integer.MAX_VALUE), random.nextInt()));
        context.writeAndFlush(Wire.readyForQuery(context.alloc(), TransactionStatus.IDLE));
        context.pipeline().replace(this, "session", new ClientSession(proxy, proxy.pool(user, database), parameters));
        decoder.batched(); // the session walks each read's messages in one pass (see PgDecoder)
    }

    private void refuse(ChannelHandlerContext context, String sqlState, String text) {
        if (sqlState.startsWith("28")) {
            proxy.recorder().clientFailedAuth(); // "misconfigured authentication or TLS": class 28 here
        }
        proxy.log("client " + context.channel().remoteAddress() + " refused: " + text);
        context.writeAndFlush(Wire.error(context.alloc(), "FATAL", sqlState, text)).addListener(f -> context.close());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        proxy.log("client " + context.channel().remoteAddress() + ": " + cause.getMessage());
        context.close();
    }
}
