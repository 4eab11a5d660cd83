package dev.lambdalab.testbed.rdsproxy;

import static dev.lambdalab.testbed.rdsproxy.ClientMessages.bind;
import static dev.lambdalab.testbed.rdsproxy.ClientMessages.closeStatement;
import static dev.lambdalab.testbed.rdsproxy.ClientMessages.execute;
import static dev.lambdalab.testbed.rdsproxy.ClientMessages.parse;
import static dev.lambdalab.testbed.rdsproxy.ClientMessages.sync;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdalab.testbed.pgwire.FrontendMessage;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.rdsproxy.ResponseLedger.Kind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How one client's messages are rewritten for its database connection, without a socket: named statements
 * multiplexed (prepared once per connection, Close answered by the emulator), and pins decided when a statement runs.
 * The session is a recording stand-in; the database connection is a real {@link DatabaseConnection}, never connected.
 */
class StatementRouterTest {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private final EmbeddedChannel loop = new EmbeddedChannel();
    private final ProxyContext proxy = new ProxyContext(new ProxyContext.Config("127.0.0.1", 5432, Map.of(), Map.of(),
            ProxySettings.DEFAULTS, 10, "", false, event -> { }, Duration.ofSeconds(60), null, Set.of()),
            new MetricsRecorder(), null, Map.of(), loop.eventLoop());
    private final Recorder session = new Recorder(new DatabaseConnection(1001, "app", "secret", "lab", "",
            null));
    private final StatementRouter router = new StatementRouter(proxy, session);

    @AfterEach
    void close() {
        session.sent.forEach(ByteBuf::release);
        loop.finishAndReleaseAll();
    }

    @Test
    void aNamedStatementIsPreparedOncePerConnectionAndItsCloseAnsweredByTheEmulator() {
        route(parse("S_1", "SELECT 1"));
        route(parse("S_2", "SELECT 1")); // the same text under another client name
        route(closeStatement("S_1"));
        route(sync());

        assertThat(session.sentTypes()).as("one Parse for the text, no Close, the Sync")
                .containsExactly(FrontendMessage.PARSE, FrontendMessage.SYNC);
        assertThat(session.expected).containsExactly(Kind.PARSE, Kind.SYNTHETIC_PARSE_COMPLETE,
                Kind.SYNTHETIC_CLOSE_COMPLETE, Kind.SYNC);
    }

    @Test
    void aBindOnAConnectionThatLacksTheStatementPreparesItFirst() {
        route(parse("S_1", "SELECT 1"));
        session.connection.preparedStatements().clear(); // another connection, say, after a release
        session.sent.forEach(ByteBuf::release);
        session.sent.clear();
        session.expected.clear();

        route(bind("", "S_1"));

        assertThat(session.sentTypes()).containsExactly(FrontendMessage.PARSE, FrontendMessage.BIND);
        assertThat(session.expected).as("the added Parse's ParseComplete is the emulator's, dropped")
                .containsExactly(Kind.ADDED_PARSE, Kind.BIND);
    }

    @Test
    void aPinningStatementIsAnnouncedAtParseAndPinsAtItsExecuteOnly() {
        route(parse("", "SET statement_timeout = 1000"));
        assertThat(session.wouldPin).as("RDS Proxy's INFO line at Parse").hasSize(1);
        assertThat(session.pins).as("no pin before it runs").isEmpty();

        route(bind("", ""));
        route(execute(""));

        assertThat(session.pins).extracting(PinningRules.Pin::reason).containsExactly(PinReason.SESSION_SETTING);
    }

    @Test
    void aSimpleQueryPinsWhenItIsRouted() {
        route(Wire.query(ALLOC, "SELECT pg_advisory_lock(1)"));
        route(Wire.query(ALLOC, "SELECT 'SET x = 1'")); // text in a string: no pin

        assertThat(session.pins).extracting(PinningRules.Pin::reason).containsExactly(PinReason.ADVISORY_LOCK);
    }

    /** Routes a message as the session does: lent for the call, then released by its owner. */
    private void route(ByteBuf message) {
        session.lent = message;
        router.route(message);
        session.lent = null;
        message.release();
    }

    /** A session that records what the router asks of it. */
    private static final class Recorder implements StatementRouter.Target {
        final DatabaseConnection connection;
        final List<ByteBuf> sent = new ArrayList<>();
        final List<Kind> expected = new ArrayList<>();
        final List<PinningRules.Pin> pins = new ArrayList<>();
        final List<PinningRules.Pin> wouldPin = new ArrayList<>();
        ByteBuf lent;

        Recorder(DatabaseConnection connection) {
            this.connection = connection;
        }

        List<FrontendMessage> sentTypes() {
            return sent.stream().map(Wire::frontendType).toList();
        }

        @Override
        public DatabaseConnection connection() {
            return connection;
        }

        @Override
        public void send(ByteBuf message) {
            sent.add(message == lent ? message.retain() : message); // a lent message stays its owner's
        }

        @Override
        public void expect(Kind kind, String statement) {
            expected.add(kind);
        }

        @Override
        public void pin(PinningRules.Pin pin) {
            pins.add(pin);
        }

        @Override
        public void wouldPin(PinningRules.Pin pin) {
            wouldPin.add(pin);
        }

        @Override
        public ByteBufAllocator alloc() {
            return ALLOC;
        }
    }
}
