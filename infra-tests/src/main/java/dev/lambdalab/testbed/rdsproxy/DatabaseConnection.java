package dev.lambdalab.testbed.rdsproxy;

import dev.lambdalab.testbed.pgwire.BackendMessage;
import dev.lambdalab.testbed.pgwire.FrontendMessage;
import dev.lambdalab.testbed.pgwire.MessageField;
import dev.lambdalab.testbed.pgwire.TransactionStatus;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One connection from the emulator to PostgreSQL: the login (SCRAM-SHA-256, MD5 or a clear-text password,
 * whichever the server asks for), the target group's InitQuery, then the messages of whichever client
 * session borrows it. Everything runs on the emulator's event loop.
 */
final class DatabaseConnection extends SimpleChannelInboundHandler<ByteBuf> {

    /** What the pool hears from a connection. */
    /**
     * Why a connection never became ready.
     *
     * @param reason for the proxy's log
     * @param sqlState the database's SQLSTATE when it refused the login, else null (the network, a close)
     * @param databaseMessage the database's own message when it refused, else null
     */
    record LoginFailure(String reason, String sqlState, String databaseMessage) {

        /**
         * Whether trying again cannot help: the database refused the login itself, not for capacity (53300) or
         * while starting or stopping (57P03, class 57), so the clients waiting for it are told now.
         */
        boolean definitive() {
            return sqlState != null && !sqlState.equals("53300") && !sqlState.startsWith("57");
        }
    }

    interface Listener {
        void ready(DatabaseConnection connection);

        void failed(DatabaseConnection connection, LoginFailure failure);

        void closed(DatabaseConnection connection);
    }

    private final int id;
    private final String user;
    private final String password;
    private final String database;
    private final String initQuery;
    private final Listener listener;
    private final Map<String, String> serverParameters = new HashMap<>();
    private final Map<String, String> applied = new HashMap<>();
    private final Set<String> preparedStatements = new HashSet<>();
    private Channel channel;
    private Scram.ClientExchange scram;
    private boolean loggedIn;
    private boolean initQuerySent;
    private boolean ready;
    private boolean failureReported;
    private ClientSession linked;
    private boolean pinned;
    /** Whether the last ReadyForQuery said in a transaction, or in a failed one. */
    private boolean inTransaction;
    /** The set of startup parameters in force when only those were applied since, else null. */
    private Map<String, String> appliedSet;
    /** ReadyForQuery answers still owed by a reset in progress, and what to do once it is clean. */
    private int resetAnswersOwed;
    private Runnable afterReset;

    DatabaseConnection(int id, String user, String password, String database, String initQuery, Listener listener) {
        this.id = id;
        this.user = user;
        this.password = password;
        this.database = database;
        this.initQuery = initQuery;
        this.listener = listener;
    }

    /** The number in RDS Proxy's log lines ({@code [dbConnection=N]}). */
    int id() {
        return id;
    }

    boolean isReady() {
        return ready && channel != null && channel.isActive();
    }

    /** The ParameterStatus values the server sent at login (server_version, TimeZone, ...). */
    Map<String, String> serverParameters() {
        return serverParameters;
    }

    /** The startup parameters the emulator has put in force on this session, as the client gave them. */
    Map<String, String> applied() {
        return applied;
    }

    /** The client's startup parameter set this connection carries now (identity: see ProxyContext.startupSet). */
    Map<String, String> appliedSet() {
        return appliedSet;
    }

    void appliedSet(Map<String, String> set) {
        appliedSet = set;
    }

    /** Proxy-side names of the named statements this connection has prepared. */
    Set<String> preparedStatements() {
        return preparedStatements;
    }

    boolean pinned() {
        return pinned;
    }

    boolean inTransaction() {
        return inTransaction;
    }

    /** The transaction status of the last ReadyForQuery. */
    void transactionStatus(TransactionStatus status) {
        inTransaction = status != TransactionStatus.IDLE;
    }

    void pin() {
        pinned = true;
    }

    /**
     * Brings a pinned session's connection back to a fresh session's state, for the next client: DISCARD ALL (session
     * settings, temporary tables, prepared statements, advisory locks, LISTENs, cursors), then the InitQuery again,
     * which DISCARD ALL undid; a transaction left open is rolled back first. {@code whenClean} runs once all are
     * answered; an error closes the connection instead. Call only with nothing owed to the session that ended.
     */
    void reset(boolean inTransaction, Runnable whenClean) {
        afterReset = whenClean;
        resetAnswersOwed = 1;
        if (inTransaction) {
            resetAnswersOwed++;
            channel.write(Wire.query(channel.alloc(), "ROLLBACK"), channel.voidPromise());
        }
        channel.write(Wire.query(channel.alloc(), "DISCARD ALL"), channel.voidPromise());
        if (!initQuery.isBlank()) {
            resetAnswersOwed++;
            channel.write(Wire.query(channel.alloc(), initQuery), channel.voidPromise());
        }
        channel.flush();
    }

    private void resetAnswer(ChannelHandlerContext context, BackendMessage type) {
        if (type == BackendMessage.ERROR_RESPONSE) {
            afterReset = null;
            context.close(); // a connection that cannot be reset is not handed to anyone
        } else if (type == BackendMessage.READY_FOR_QUERY && --resetAnswersOwed == 0 && afterReset != null) {
            pinned = false;
            preparedStatements.clear();
            applied.keySet().retainAll(Set.of("client_encoding")); // back to the startup packet's values
            appliedSet = null;
            Runnable next = afterReset;
            afterReset = null;
            next.run();
        }
    }

    ClientSession linked() {
        return linked;
    }

    void link(ClientSession session) {
        linked = session;
    }

    void send(ByteBuf message) {
        channel.write(message, channel.voidPromise());
    }

    void flush() {
        channel.flush();
    }

    void close() {
        ready = false;
        if (channel != null) {
            channel.close();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext context) {
        channel = context.channel();
        Map<String, String> startup = new LinkedHashMap<>();
        startup.put("user", user);
        startup.put("database", database);
        startup.put("client_encoding", "UTF8");
        applied.put("client_encoding", "UTF8");
        context.writeAndFlush(Wire.startup(context.alloc(), startup));
    }

    /** A read's whole messages (a batch from {@link PgDecoder}; in the unit tests, one message), in one pass. */
    @Override
    protected void channelRead0(ChannelHandlerContext context, ByteBuf batch) {
        for (int index = batch.readerIndex(), end = batch.writerIndex(); index < end; ) {
            int length = Wire.messageLength(batch, index);
            if (!ready) {
                beforeReady(context, batch.slice(index, length));
            } else if (linked != null) {
                linked.onServerMessage(this, batch, index, length); // the session may let go of this connection here
            } else if (resetAnswersOwed > 0) {
                resetAnswer(context, BackendMessage.of(batch.getByte(index)));
            }
            index += length;
        }
        if (linked != null) {
            linked.writeRun(); // before the batch is released
        }
    }

    /** The login and the InitQuery: one message at a time. */
    private void beforeReady(ChannelHandlerContext context, ByteBuf message) {
        switch (Wire.backendType(message)) {
            case AUTHENTICATION -> authenticate(context, message);
            case PARAMETER_STATUS -> {
                Wire.Reader body = Wire.body(message, true);
                serverParameters.put(body.cstring(), body.cstring());
            }
            case ERROR_RESPONSE -> {
                String text = Wire.errorField(message, MessageField.MESSAGE);
                String state = Wire.errorField(message, MessageField.CODE);
                failBeforeReady(new LoginFailure("PostgreSQL refused the proxy's connection: " + text + " (SQLSTATE "
                        + state + ")", state, text));
                context.close();
            }
            case READY_FOR_QUERY -> {
                if (!initQuery.isBlank() && !initQuerySent) {
                    initQuerySent = true; // RDS Proxy's InitQuery: run once on each new database connection
                    context.writeAndFlush(Wire.query(context.alloc(), initQuery));
                } else {
                    ready = true;
                    listener.ready(this);
                }
            }
            default -> { } // BackendKeyData, notices: nothing to keep
        }
    }

    private void authenticate(ChannelHandlerContext context, ByteBuf message) {
        Wire.Reader body = Wire.body(message, true);
        int code = body.int32();
        switch (code) {
            case 0 -> loggedIn = true;
            case 3 -> context.writeAndFlush(Wire.raw(context.alloc(), FrontendMessage.PASSWORD, cstring(password)));
            case 5 -> context.writeAndFlush(Wire.raw(context.alloc(), FrontendMessage.PASSWORD,
                    cstring(md5(body.bytes(4)))));
            case 10 -> {
                scram = new Scram.ClientExchange(password);
                byte[] first = scram.clientFirst().getBytes(StandardCharsets.UTF_8);
                context.writeAndFlush(Wire.message(context.alloc(), FrontendMessage.PASSWORD, b -> {
                    Wire.cstring(b, Scram.MECHANISM);
                    b.writeInt(first.length);
                    b.writeBytes(first);
                }));
            }
            case 11 -> context.writeAndFlush(Wire.raw(context.alloc(), FrontendMessage.PASSWORD,
                    scram.clientFinal(new String(body.rest(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));
            case 12 -> scram.verify(new String(body.rest(), StandardCharsets.UTF_8));
            default -> fail(context, "PostgreSQL asked for authentication method " + code
                    + ", which the emulator does not speak (it speaks SCRAM-SHA-256, MD5 and password)");
        }
    }

    private String md5(byte[] salt) {
        try {
            MessageDigest digest = MessageDigest.getInstance("MD5");
            String inner = HexFormat.of().formatHex(digest.digest((password + user).getBytes(StandardCharsets.UTF_8)));
            digest.update(inner.getBytes(StandardCharsets.UTF_8));
            digest.update(salt);
            return "md5" + HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is not available", e);
        }
    }

    private static byte[] cstring(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        byte[] withNul = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, withNul, 0, bytes.length);
        return withNul;
    }

    private void fail(ChannelHandlerContext context, String reason) {
        failBeforeReady(reason);
        context.close();
    }

    /** Tells the pool once that this connection never became ready. */
    void failBeforeReady(String reason) {
        failBeforeReady(new LoginFailure(reason, null, null));
    }

    private void failBeforeReady(LoginFailure failure) {
        if (!ready && !failureReported) {
            failureReported = true;
            listener.failed(this, failure);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) {
        if (linked != null) {
            linked.flushClient();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        failBeforeReady(loggedIn ? "PostgreSQL closed the connection during the InitQuery"
                : "PostgreSQL closed the connection during the login");
        ready = false;
        listener.closed(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        failBeforeReady("the connection to PostgreSQL failed: " + cause.getMessage());
        context.close();
    }
}
