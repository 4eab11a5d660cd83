package dev.lambdalab.testbed.rdsproxy;

import dev.lambdalab.testbed.pgwire.DescribeTarget;
import dev.lambdalab.testbed.pgwire.FrontendMessage;
import dev.lambdalab.testbed.rdsproxy.ResponseLedger.Kind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.HashMap;
import java.util.Map;

/**
 * Sends one client's messages to its linked database connection, named statements multiplexed as RDS Proxy
 * does for PostgreSQL: each named statement gets a proxy-wide name per text, is prepared on a database
 * connection the first time a session needs it there, and a Close of it is answered by the emulator (the
 * statement stays prepared for other sessions). Every message that earns an answer gets its
 * {@link ResponseLedger} entry through {@link Target#expect}; SQL text goes through the pinning rules first.
 */
final class StatementRouter {

    /** The session the router works for. */
    interface Target {
        /** The database connection the session holds now (never null while routing). */
        DatabaseConnection connection();

        /** Sends a message: the one being routed (lent, not to be released) or a new one (the target takes it over). */
        void send(ByteBuf message);

        void expect(Kind kind, String statement);

        /** Pins the session now, for a statement that runs (a simple query, or an Execute). */
        void pin(PinningRules.Pin pin);

        /** Tells, at Parse, that the statement would pin the session when it runs. */
        void wouldPin(PinningRules.Pin pin);

        ByteBufAllocator alloc();
    }

    /** A named statement as the client prepared it, under the proxy's name for its text, and its pin if it runs. */
    private record Statement(String proxyName, String query, byte[] parameterTypes, PinningRules.Pin pin) {
    }

    private final ProxyContext proxy;
    private final Target session;
    private final Map<String, Statement> statements = new HashMap<>();
    /** The pin of the unnamed statement last parsed, if it runs; and of each portal bound. */
    private PinningRules.Pin unnamedPin;
    private final Map<String, PinningRules.Pin> portalPins = new HashMap<>();

    StatementRouter(ProxyContext proxy, Target session) {
        this.proxy = proxy;
        this.session = session;
    }

    /**
     * Routes one client message, lent for the call: a message passed on unchanged goes to {@link Target#send} as
     * the same object (the session forwards it as part of the read buffer, see {@link ClientSession}); one
     * rewritten goes as a new buffer.
     */
    void route(ByteBuf message) {
        FrontendMessage type = Wire.frontendType(message);
        Wire.Reader body = Wire.body(message, true);
        switch (type) {
            case QUERY -> {
                // A simple query runs at once. Most texts hold no word a pinning condition needs: those are not decoded.
                if (PinTriggers.mayPin(message, body.position(), message.writerIndex())) {
                    proxy.pinOf(body.cstring()).ifPresent(session::pin);
                }
                expect(Kind.QUERY, null);
                send(message);
            }
            case FUNCTION_CALL -> {
                expect(Kind.QUERY, null);
                send(message);
            }
            case PARSE -> parse(message, body);
            case BIND -> bind(message, body);
            case DESCRIBE, CLOSE -> describeOrClose(type, message, body);
            case EXECUTE -> {
                // "If this prepared statement runs, the client session will be pinned": the pin comes when it runs.
                PinningRules.Pin pin = portalPins.get(body.cstring());
                if (pin != null) {
                    session.pin(pin);
                }
                expect(Kind.EXECUTE, null);
                send(message);
            }
            case SYNC -> {
                expect(Kind.SYNC, null);
                send(message);
            }
            default -> send(message); // Flush, CopyData, CopyDone, CopyFail: no answer of their own
        }
    }

    private void parse(ByteBuf message, Wire.Reader body) {
        String name = body.cstring();
        if (name.isEmpty()) {
            // The unnamed statement needs its text only to be checked, and most texts cannot pin: not decoded then.
            int end = message.indexOf(body.position(), message.writerIndex(), (byte) 0);
            PinningRules.Pin pin = end < 0 || PinTriggers.mayPin(message, body.position(), end)
                    ? proxy.pinOf(body.cstring()).orElse(null) : null;
            if (pin != null) {
                session.wouldPin(pin);
            }
            unnamedPin = pin;
            expect(Kind.PARSE, null);
            send(message);
            return;
        }
        String query = body.cstring();
        PinningRules.Pin pin = proxy.pinOf(query).orElse(null);
        if (pin != null) {
            session.wouldPin(pin);
        }
        byte[] parameterTypes = body.rest();
        Statement statement = new Statement(proxy.statementName(query, parameterTypes), query, parameterTypes, pin);
        statements.put(name, statement);
        if (session.connection().preparedStatements().contains(statement.proxyName())) {
            expect(Kind.SYNTHETIC_PARSE_COMPLETE, null);
        } else {
            prepare(statement, Kind.PARSE);
        }
    }

    private void bind(ByteBuf message, Wire.Reader body) {
        String portal = body.cstring();
        String statementName = body.cstring();
        Statement statement = statements.get(statementName);
        portalPins.put(portal, statement != null ? statement.pin() : statementName.isEmpty() ? unnamedPin : null);
        if (statement == null) {
            expect(Kind.BIND, null);
            send(message); // the unnamed statement, or an unknown name the server will reject
            return;
        }
        byte[] rest = body.rest();
        ensurePrepared(statement);
        expect(Kind.BIND, null);
        send(Wire.message(session.alloc(), FrontendMessage.BIND, b -> {
            Wire.cstring(b, portal);
            Wire.cstring(b, statement.proxyName());
            b.writeBytes(rest);
        }));
    }

    private void describeOrClose(FrontendMessage type, ByteBuf message, Wire.Reader body) {
        byte target = body.int8();
        Statement statement = target == DescribeTarget.STATEMENT.code() ? statements.get(body.cstring()) : null;
        if (statement == null) {
            expect(type == FrontendMessage.DESCRIBE ? Kind.DESCRIBE : Kind.CLOSE, null);
            send(message);
            return;
        }
        if (type == FrontendMessage.CLOSE) {
            // The statement stays prepared on the database connection for other sessions with the same text.
            statements.values().remove(statement);
            expect(Kind.SYNTHETIC_CLOSE_COMPLETE, null);
            return;
        }
        ensurePrepared(statement);
        expect(Kind.DESCRIBE, null);
        send(Wire.message(session.alloc(), FrontendMessage.DESCRIBE, b -> {
            b.writeByte(DescribeTarget.STATEMENT.code());
            Wire.cstring(b, statement.proxyName());
        }));
    }

    private void ensurePrepared(Statement statement) {
        if (!session.connection().preparedStatements().contains(statement.proxyName())) {
            prepare(statement, Kind.ADDED_PARSE);
        }
    }

    private void prepare(Statement statement, Kind kind) {
        session.connection().preparedStatements().add(statement.proxyName());
        expect(kind, statement.proxyName());
        send(Wire.message(session.alloc(), FrontendMessage.PARSE, b -> {
            Wire.cstring(b, statement.proxyName());
            Wire.cstring(b, statement.query());
            b.writeBytes(statement.parameterTypes());
        }));
    }

    private void expect(Kind kind, String statement) {
        session.expect(kind, statement);
    }

    private void send(ByteBuf message) {
        session.send(message);
    }
}
