package dev.lambdalab.testbed.rdsproxy;

import dev.lambdalab.testbed.pgwire.BackendMessage;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * The responses a linked database connection still owes its client, in order. The emulator changes the
 * client's message stream (it leaves out a Parse the connection already has, adds a Parse the connection
 * lacks, sends its own SET to carry the client's startup parameters), so the server's answers no longer
 * match the client's messages one for one. Each message that earns an answer gets an entry here, and the
 * entries say which answers to pass on, which to drop, and where to insert one the server will not send.
 *
 * <p>The protocol rules it follows ("Extended Query" in the PostgreSQL manual): after an error, the server
 * ignores every message up to the next Sync, so their entries go too; a simple Query ends at
 * ReadyForQuery, errors included. The connection can go back to the pool when the ledger is empty and the
 * last ReadyForQuery said idle.
 */
final class ResponseLedger {

    /** What answer an entry waits for. */
    enum Kind {
        /** A client's Parse: ParseComplete. */
        PARSE,
        BIND,
        /** A client's Describe: RowDescription or NoData (after ParameterDescription for a statement). */
        DESCRIBE,
        /** A client's Execute: CommandComplete, EmptyQueryResponse or PortalSuspended. */
        EXECUTE,
        CLOSE,
        SYNC,
        /** A simple Query or FunctionCall: everything up to ReadyForQuery. */
        QUERY,
        /** A Parse the emulator added: its ParseComplete is dropped. */
        ADDED_PARSE,
        /** A Query the emulator sent (startup parameters): every answer up to ReadyForQuery is dropped. */
        OWN_QUERY,
        /** A ParseComplete the emulator answers itself (the connection had the statement). */
        SYNTHETIC_PARSE_COMPLETE,
        /** A CloseComplete the emulator answers itself (named statements stay prepared on the connection). */
        SYNTHETIC_CLOSE_COMPLETE
    }

    /** One entry; {@code statement} is the proxy-side name a Parse prepares, to forget it if the Parse fails. */
    record Entry(Kind kind, String statement) {

        /** One entry per kind for the messages that prepare nothing: most of them, one or more per query. */
        private static final Entry[] PLAIN = Arrays.stream(Kind.values()).map(kind -> new Entry(kind, null))
                .toArray(Entry[]::new);

        /** The entry for a message of this kind; {@code statement} as in the record, mostly null. */
        static Entry of(Kind kind, String statement) {
            return statement == null ? PLAIN[kind.ordinal()] : new Entry(kind, statement);
        }

        boolean synthetic() {
            return kind == Kind.SYNTHETIC_PARSE_COMPLETE || kind == Kind.SYNTHETIC_CLOSE_COMPLETE;
        }

        BackendMessage syntheticType() {
            return kind == Kind.SYNTHETIC_PARSE_COMPLETE ? BackendMessage.PARSE_COMPLETE : BackendMessage.CLOSE_COMPLETE;
        }
    }

    /** What to do with one of the server's messages. */
    enum Verdict {
        FORWARD,
        DROP
    }

    private final Deque<Entry> entries = new ArrayDeque<>();
    private boolean skippingToSync;

    /**
     * Records a message sent to the server, or a synthetic answer; a synthetic answer with nothing ahead
     * of it is emitted at once.
     *
     * @param forgotten told the statement of a Parse the server will skip (after an error)
     */
    void expect(Entry entry, Consumer<BackendMessage> emit, Consumer<String> forgotten) {
        if (entry.kind() == Kind.SYNC || entry.kind() == Kind.QUERY || entry.kind() == Kind.OWN_QUERY) {
            skippingToSync = false; // the server reads this message normally again
        } else if (skippingToSync) {
            if (entry.statement() != null) {
                forgotten.accept(entry.statement());
            }
            return; // the server ignores it; a synthetic answer would not have come either
        }
        if (entry.synthetic() && entries.isEmpty()) {
            emit.accept(entry.syntheticType());
            return;
        }
        entries.addLast(entry);
    }

    /**
     * Decides what to do with one message from the server, and advances.
     *
     * @param forgotten told the statement of each Parse that did not happen
     */
    Verdict onServerMessage(BackendMessage type, Consumer<String> forgotten) {
        Entry head = entries.peekFirst();
        if (head == null) {
            return Verdict.FORWARD; // an asynchronous message between requests (a notice, a parameter change)
        }
        if (type.asynchronous()) {
            return head.kind() == Kind.OWN_QUERY ? Verdict.DROP : Verdict.FORWARD;
        }
        Verdict verdict = head.kind() == Kind.OWN_QUERY
                || head.kind() == Kind.ADDED_PARSE && type == BackendMessage.PARSE_COMPLETE ? Verdict.DROP : Verdict.FORWARD;
        if (type == BackendMessage.ERROR_RESPONSE && head.kind() != Kind.QUERY && head.kind() != Kind.OWN_QUERY) {
            // The server now skips to the next Sync: the entries before it will get no answer.
            while (!entries.isEmpty() && entries.peekFirst().kind() != Kind.SYNC) {
                Entry skipped = entries.pollFirst();
                if (skipped.statement() != null) {
                    forgotten.accept(skipped.statement());
                }
            }
            skippingToSync = entries.isEmpty();
            return Verdict.FORWARD;
        }
        if (ends(head.kind(), type)) {
            entries.pollFirst(); // synthetic answers now due go out after this message: see emitDue
        }
        return verdict;
    }

    /** Emits the synthetic answers now at the head, in order; call after forwarding the server's message. */
    void emitDue(Consumer<BackendMessage> emit) {
        while (!entries.isEmpty() && entries.peekFirst().synthetic()) {
            emit.accept(entries.pollFirst().syntheticType());
        }
    }

    private static boolean ends(Kind kind, BackendMessage type) {
        return switch (kind) {
            case PARSE, ADDED_PARSE -> type == BackendMessage.PARSE_COMPLETE;
            case BIND -> type == BackendMessage.BIND_COMPLETE;
            case DESCRIBE -> type == BackendMessage.ROW_DESCRIPTION || type == BackendMessage.NO_DATA;
            case EXECUTE -> type == BackendMessage.COMMAND_COMPLETE || type == BackendMessage.EMPTY_QUERY_RESPONSE
                    || type == BackendMessage.PORTAL_SUSPENDED;
            case CLOSE -> type == BackendMessage.CLOSE_COMPLETE;
            case SYNC, QUERY, OWN_QUERY -> type == BackendMessage.READY_FOR_QUERY;
            case SYNTHETIC_PARSE_COMPLETE, SYNTHETIC_CLOSE_COMPLETE -> false;
        };
    }

    /** True when the server owes nothing more. */
    boolean isEmpty() {
        return entries.isEmpty();
    }

    /** True while the server skips messages after an error and no Sync has been sent yet. */
    boolean skipping() {
        return skippingToSync;
    }
}
