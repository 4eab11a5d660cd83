package dev.lambdalab.testbed.rdsproxy;

import dev.lambdalab.testbed.pgwire.BackendMessage;
import dev.lambdalab.testbed.pgwire.FrontendMessage;
import dev.lambdalab.testbed.pgwire.MessageField;
import dev.lambdalab.testbed.pgwire.TransactionStatus;
import dev.lambdalab.testbed.proxy.ProxySettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The emulator's pool and sessions without a socket: every database connection the pool opens is a real
 * {@link DatabaseConnection} in an {@link EmbeddedChannel} whose other end the test plays as PostgreSQL, every client a
 * real {@link ClientSession} in one, and time is a mock ticker the test moves (the pool reads the event loop's clock).
 * Messages are written whole, one per buffer or several in one ({@link #batch}), as {@link PgDecoder} hands them on
 * (PgDecoderTest covers the framing).
 */
final class InMemoryPostgres implements DatabasePool.Connector, AutoCloseable {

    static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    final MockTicker ticker = Ticker.newMockTicker();
    /** The event loop the pool and its timer run on, with the mock clock. */
    final EmbeddedChannel loop = EmbeddedChannel.builder().ticker(ticker).build();
    final List<PinEvent> pins = new ArrayList<>();
    final MetricsRecorder metrics = new MetricsRecorder();
    final ProxyContext proxy;
    final DatabasePool pool;
    private final List<EmbeddedChannel> servers = new ArrayList<>();
    private final List<EmbeddedChannel> clients = new ArrayList<>();
    private int ids = 1000;

    /** A pool of {@code databaseConnections} for user app on database lab, with this borrow timeout. */
    InMemoryPostgres(int databaseConnections, Duration borrowTimeout) {
        ProxySettings settings = ProxySettings.DEFAULTS.withMaxConnectionsPercent(100)
                .withConnectionBorrowTimeout(borrowTimeout);
        proxy = new ProxyContext(new ProxyContext.Config("127.0.0.1", 5432, Map.of("app", "secret"), Map.of(),
                settings, databaseConnections, "", false, pins::add, Duration.ofSeconds(60), null, Set.of()),
                metrics, null, Map.of(), loop.eventLoop());
        pool = new DatabasePool("app", "secret", "lab", proxy, loop.eventLoop(), this, () -> ++ids);
    }

    @Override
    public void connect(DatabaseConnection connection, Consumer<String> failed) {
        EmbeddedChannel server = new EmbeddedChannel(connection); // active at once: the startup packet goes out
        server.readOutbound(); // that packet (no type byte), which the tests do not look at
        servers.add(server);
    }

    /** The number of connections the pool has opened so far. */
    int opened() {
        return servers.size();
    }

    /** PostgreSQL accepts connection {@code n}'s login: AuthenticationOk, then ReadyForQuery. */
    void acceptLogin(int n) {
        server(n).writeInbound(Wire.authentication(ALLOC, 0, new byte[0]), Wire.readyForQuery(ALLOC,
                TransactionStatus.IDLE));
    }

    /** PostgreSQL refuses connection {@code n}'s login with this error. */
    void refuseLogin(int n, String sqlState, String text) {
        server(n).writeInbound(Wire.error(ALLOC, "FATAL", sqlState, text));
    }

    /** PostgreSQL answers a statement on connection {@code n}: CommandComplete, then ReadyForQuery with this status. */
    void complete(int n, String tag, TransactionStatus status) {
        server(n).writeInbound(commandComplete(tag), Wire.readyForQuery(ALLOC, status));
    }

    /** The simple queries the emulator sent on connection {@code n} since the last call, as text. */
    List<String> queries(int n) {
        List<String> texts = new ArrayList<>();
        for (ByteBuf message; (message = server(n).readOutbound()) != null; ) {
            try {
                if (Wire.frontendType(message) == FrontendMessage.QUERY) {
                    texts.add(Wire.body(message, true).cstring());
                }
            } finally {
                message.release();
            }
        }
        return texts;
    }

    EmbeddedChannel server(int n) {
        return servers.get(n);
    }

    /** A client session for app on lab with these startup parameters, as the handshake would add it. */
    EmbeddedChannel client(Map<String, String> startupParameters) {
        EmbeddedChannel client = new EmbeddedChannel(new ClientSession(proxy, pool, startupParameters));
        clients.add(client);
        return client;
    }

    /** The client sends a simple query. */
    static void query(EmbeddedChannel client, String sql) {
        client.writeInbound(Wire.query(ALLOC, sql));
    }

    /** What the client has received since the last call, by type. */
    static List<BackendMessage> received(EmbeddedChannel client) {
        return writes(client).stream().flatMap(List::stream).map(BackendMessage::of).toList();
    }

    /** The type codes of the messages in each buffer written to this channel since the last call, buffer by buffer. */
    static List<List<Byte>> writes(EmbeddedChannel channel) {
        List<List<Byte>> writes = new ArrayList<>();
        for (ByteBuf written; (written = channel.readOutbound()) != null; ) {
            List<Byte> types = new ArrayList<>();
            for (int index = written.readerIndex(); index < written.writerIndex(); index += Wire.messageLength(written, index)) {
                types.add(written.getByte(index));
            }
            writes.add(types);
            written.release();
        }
        return writes;
    }

    /** Several messages in one buffer, as one read brings them (each released). */
    static ByteBuf batch(ByteBuf... messages) {
        ByteBuf batch = ALLOC.buffer();
        for (ByteBuf message : messages) {
            batch.writeBytes(message);
            message.release();
        }
        return batch;
    }

    static ByteBuf commandComplete(String tag) {
        return Wire.message(ALLOC, BackendMessage.COMMAND_COMPLETE, b -> Wire.cstring(b, tag));
    }

    /** The first error the client has received since the last call: SQLSTATE and message, or null. */
    static String error(EmbeddedChannel client) {
        String found = null;
        for (ByteBuf message; (message = client.readOutbound()) != null; ) {
            if (found == null && Wire.backendType(message) == BackendMessage.ERROR_RESPONSE) {
                found = Wire.errorField(message, MessageField.CODE) + " "
                        + Wire.errorField(message, MessageField.MESSAGE);
            }
            message.release();
        }
        return found;
    }

    /** Moves the clock and runs the timers that are due. */
    void advance(Duration time) {
        ticker.advance(time.toNanos(), TimeUnit.NANOSECONDS);
        loop.runScheduledPendingTasks();
    }

    @Override
    public void close() {
        // Copies: a client's end releases its connection, and the pool may open another meanwhile.
        List.copyOf(clients).forEach(EmbeddedChannel::finishAndReleaseAll);
        List.copyOf(servers).forEach(EmbeddedChannel::finishAndReleaseAll);
        loop.finishAndReleaseAll();
    }
}
