package dev.lambdalab.testbed.rdsproxy;

import dev.lambdalab.testbed.pgwire.BackendMessage;
import dev.lambdalab.testbed.pgwire.FrontendMessage;
import dev.lambdalab.testbed.pgwire.TransactionStatus;
import dev.lambdalab.testbed.rdsproxy.PinningRules.Pin;
import dev.lambdalab.testbed.rdsproxy.ResponseLedger.Entry;
import dev.lambdalab.testbed.rdsproxy.ResponseLedger.Kind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Consumer;

/**
 * One client connection after its login: RDS Proxy's transaction-level multiplexing ("RDS Proxy concepts
 * and terminology", Amazon RDS User Guide). A database connection is borrowed when the client sends
 * something, and returned at the ReadyForQuery that says idle once nothing more is owed; a session that
 * does something on {@link PinningRules}' list keeps its connection until it disconnects.
 * Messages go to the database through a {@link StatementRouter}, which multiplexes named statements.
 */
final class ClientSession extends SimpleChannelInboundHandler<ByteBuf> implements StatementRouter.Target {

    private final ProxyContext proxy;
    private final DatabasePool pool;
    private final Map<String, String> startupParameters;
    private final StatementRouter router;
    private final Deque<ByteBuf> pending = new ArrayDeque<>();
    private final ResponseLedger ledger = new ResponseLedger();
    /** Client messages passed on unchanged, and server messages: each direction's run of them (see ForwardRun). */
    private final ForwardRun toServer = new ForwardRun();
    private final ForwardRun toClient = new ForwardRun();
    /** The message lent to the router now, and where it lies: sent back unchanged, it joins {@link #toServer}. */
    private ByteBuf lent;
    private ByteBuf lentSource;
    private int lentIndex;
    private ChannelHandlerContext context;
    /** The connection the ledger's entries went to (kept after a release, for answers still arriving). */
    private DatabaseConnection answering;
    /** The ledger's callbacks, made once rather than per message. */
    private final Consumer<BackendMessage> emitter = this::emit;
    private final Consumer<String> forgetter = name -> {
        if (answering != null) {
            answering.preparedStatements().remove(name);
        }
    };
    private DatabaseConnection connection;
    private boolean borrowing;
    private Pin pin;
    private TransactionStatus status = TransactionStatus.IDLE;
    private long requestNanos;
    private long sentNanos;
    private boolean answered;
    private boolean serverAnswered;

    ClientSession(ProxyContext proxy, DatabasePool pool, Map<String, String> startupParameters) {
        this.proxy = proxy;
        this.pool = pool;
        this.startupParameters = proxy.startupSet(startupParameters);
        this.router = new StatementRouter(proxy, this);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.context = context;
    }

    /** A read's whole messages (a batch from {@link PgDecoder}; in the unit tests, one message), in one pass. */
    @Override
    protected void channelRead0(ChannelHandlerContext context, ByteBuf batch) {
        for (int index = batch.readerIndex(), end = batch.writerIndex(); index < end; ) {
            int length = Wire.messageLength(batch, index);
            if (batch.getByte(index) == FrontendMessage.TERMINATE.code()) {
                context.close(); // Terminate: channelInactive returns the connection
                break;
            }
            if (connection == null) {
                pending.addLast(batch.retainedSlice(index, length));
                if (!borrowing) {
                    borrowing = true;
                    startRequest();
                    pool.borrow(this);
                }
            } else {
                if (ledger.isEmpty()) {
                    startRequest();
                }
                route(batch, index, length);
            }
            index += length;
        }
        sendRun(); // before the batch is released
    }

    private void route(ByteBuf source, int index, int length) {
        lent = source.slice(index, length);
        lentSource = source;
        lentIndex = index;
        router.route(lent);
        lent = null;
        lentSource = null;
    }

    private void sendRun() {
        ByteBuf run = toServer.take();
        if (run != null) {
            if (connection != null) {
                connection.send(run);
            } else {
                run.release();
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) {
        if (connection != null) {
            connection.flush();
        }
    }

    /** The pool's answer to {@link DatabasePool#borrow}: carry the startup parameters over, then send what waited. */
    void linked(DatabaseConnection borrowed) {
        borrowing = false;
        if (!context.channel().isActive()) {
            pool.release(borrowed, true, false);
            return;
        }
        connection = borrowed;
        answering = borrowed;
        applyStartupParameters();
        for (ByteBuf message : pending) {
            route(message, message.readerIndex(), message.readableBytes());
        }
        sendRun(); // before the messages are released
        pending.forEach(ByteBuf::release);
        pending.clear();
        connection.flush();
    }

    /**
     * Puts the client's startup parameters (application_name, TimeZone, extra_float_digits, ...) in force
     * on the borrowed connection with one SET per difference, sent ahead of the client's messages and
     * answered by nobody. RDS Proxy tracks these: "startup parameters don't pin".
     */
    private void applyStartupParameters() {
        if (connection.appliedSet() == startupParameters) {
            return; // this connection carries exactly these already (the sets are shared, see ProxyContext)
        }
        StringJoiner sets = new StringJoiner("; ");
        for (Map.Entry<String, String> parameter : startupParameters.entrySet()) {
            if (!parameter.getValue().equals(connection.applied().get(parameter.getKey()))) {
                sets.add("SET " + quoteIdentifier(parameter.getKey()) + " TO " + quoteLiteral(parameter.getValue()));
                connection.applied().put(parameter.getKey(), parameter.getValue());
            }
        }
        if (sets.length() > 0) {
            expect(Kind.OWN_QUERY, null);
            connection.send(Wire.query(context.alloc(), sets.toString()));
        }
        connection.appliedSet(startupParameters);
    }

    @Override
    public void expect(Kind kind, String statement) {
        ledger.expect(Entry.of(kind, statement), emitter, forgetter);
    }

    private void emit(BackendMessage type) {
        markAnswered();
        writeRun(); // the answers ahead of it first
        context.write(Wire.empty(context.alloc(), type), context.voidPromise());
    }

    @Override
    public void send(ByteBuf message) {
        if (sentNanos == 0) {
            sentNanos = System.nanoTime();
        }
        if (message == lent) {
            ByteBuf ended = toServer.add(lentSource, lentIndex, message.readableBytes());
            if (ended != null) {
                connection.send(ended);
            }
        } else {
            sendRun(); // the client's messages ahead of this one first
            connection.send(message);
        }
    }

    @Override
    public DatabaseConnection connection() {
        return connection;
    }

    @Override
    public ByteBufAllocator alloc() {
        return context.alloc();
    }

    @Override
    public void pin(Pin found) {
        if (pin != null) {
            return;
        }
        pin = found;
        connection.pin();
        proxy.pinned(connection.id(), found, context.channel().remoteAddress() instanceof InetSocketAddress client
                ? client.getPort() : -1);
    }

    @Override
    public void wouldPin(Pin found) {
        if (pin == null) {
            proxy.wouldPin(connection.id(), found);
        }
    }

    /** The message at {@code index} of a batch from the linked database connection; {@link #writeRun} before the batch goes. */
    void onServerMessage(DatabaseConnection from, ByteBuf batch, int index, int length) {
        BackendMessage type = BackendMessage.of(batch.getByte(index));
        if (!serverAnswered && sentNanos != 0) {
            serverAnswered = true;
            proxy.recorder().databaseResponded(System.nanoTime() - sentNanos);
        }
        if (type == BackendMessage.READY_FOR_QUERY) {
            status = TransactionStatus.of(batch.getByte(index + 5));
            from.transactionStatus(status);
        }
        if (ledger.onServerMessage(type, forgetter)
                == ResponseLedger.Verdict.FORWARD) {
            markAnswered();
            ByteBuf ended = toClient.add(batch, index, length);
            if (ended != null) {
                context.write(ended, context.voidPromise());
            }
        }
        ledger.emitDue(emitter);
        if (type == BackendMessage.READY_FOR_QUERY && ledger.isEmpty() && status == TransactionStatus.IDLE && pin == null
                && pending.isEmpty()) {
            connection = null;
            writeRun(); // the next answers through this connection may be for another session
            pool.release(from, true, false); // the transaction is over: RDS Proxy can reuse the connection
            flushClient();
        }
    }

    private void startRequest() {
        proxy.recorder().queryRequested();
        requestNanos = System.nanoTime();
        sentNanos = 0;
        answered = false;
        serverAnswered = false;
    }

    private void markAnswered() {
        if (!answered && requestNanos != 0) {
            answered = true;
            proxy.recorder().queryResponded(System.nanoTime() - requestNanos);
        }
    }

    /** Writes the server's messages forwarded so far as one slice of their read buffer. */
    void writeRun() {
        ByteBuf run = toClient.take();
        if (run != null) {
            context.write(run, context.voidPromise());
        }
    }

    void flushClient() {
        context.flush();
    }

    /** No connection freed up within ConnectionBorrowTimeout. */
    void borrowTimedOut() {
        borrowing = false;
        proxy.log("client " + context.channel().remoteAddress() + ": " + ProxyTexts.BORROW_TIMEOUT);
        fatal(ProxyTexts.BORROW_TIMEOUT_SQLSTATE, ProxyTexts.BORROW_TIMEOUT);
    }

    /** The database refused the connection the proxy opened for this session: its error, as RDS Proxy passes it on. */
    void requestFailed(String sqlState, String text) {
        borrowing = false;
        proxy.log("client " + context.channel().remoteAddress() + ": " + text);
        fatal(sqlState, text);
    }

    /** The linked database connection closed under the session (PostgreSQL restarted or ended it), or the proxy stops ({@code null}). */
    void serverClosed(DatabaseConnection closed) {
        if (closed == null || connection == closed) {
            connection = null;
            borrowing = false;
            fatal("08006", "The database connection of this session closed unexpectedly.");
        }
    }

    private void fatal(String sqlState, String text) {
        context.writeAndFlush(Wire.error(context.alloc(), "FATAL", sqlState, text)).addListener(f -> context.close());
    }


    @Override
    public void channelInactive(ChannelHandlerContext context) {
        pending.forEach(ByteBuf::release);
        pending.clear();
        if (borrowing) {
            pool.cancel(this);
        }
        if (connection != null) {
            // Nothing owed: the connection can serve another client once its transaction, if any, is rolled back.
            DatabaseConnection held = connection;
            connection = null;
            pool.release(held, ledger.isEmpty(), status != TransactionStatus.IDLE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        proxy.log("client " + context.channel().remoteAddress() + ": " + cause.getMessage());
        context.close();
    }

    private static String quoteIdentifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    private static String quoteLiteral(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
