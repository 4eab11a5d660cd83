package dev.lambdalab.testbed.rdsproxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdalab.testbed.pgwire.BackendMessage;
import dev.lambdalab.testbed.rdsproxy.ResponseLedger.Entry;
import dev.lambdalab.testbed.rdsproxy.ResponseLedger.Kind;
import dev.lambdalab.testbed.rdsproxy.ResponseLedger.Verdict;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ledger that keeps the server's answers in step with what the client sent, without a socket: the answers of a
 * pipeline are played at it one by one, and what reaches the client (forwarded or synthetic) is recorded in order.
 */
class ResponseLedgerTest {

    private final ResponseLedger ledger = new ResponseLedger();
    private final List<String> toClient = new ArrayList<>();
    private final List<String> forgotten = new ArrayList<>();

    @Test
    void afterAnErrorTheEntriesUpToSyncGetNoAnswerAndTheirStatementsAreForgotten() {
        expect(Kind.ADDED_PARSE, "s1");
        expect(Kind.BIND, null);
        expect(Kind.EXECUTE, null);
        expect(Kind.SYNC, null);

        server(BackendMessage.ERROR_RESPONSE);

        assertThat(toClient).as("the error goes to the client").containsExactly("ERROR_RESPONSE");
        assertThat(forgotten).as("the Parse the server skipped: its statement is not prepared").containsExactly("s1");
        assertThat(ledger.isEmpty()).as("only the Sync's ReadyForQuery is owed").isFalse();
        server(BackendMessage.READY_FOR_QUERY);
        assertThat(ledger.isEmpty()).as("the Sync answered").isTrue();
    }

    @Test
    void syntheticParseAndCloseCompleteComeOutInTheClientsOrder() {
        expect(Kind.PARSE, "s1");
        expect(Kind.SYNTHETIC_PARSE_COMPLETE, null); // the connection had the second statement
        expect(Kind.BIND, null);
        expect(Kind.SYNTHETIC_CLOSE_COMPLETE, null); // a Close the emulator answers itself
        expect(Kind.SYNC, null);

        server(BackendMessage.PARSE_COMPLETE);
        server(BackendMessage.BIND_COMPLETE);
        server(BackendMessage.READY_FOR_QUERY);

        assertThat(toClient).containsExactly("PARSE_COMPLETE", "synthetic PARSE_COMPLETE", "BIND_COMPLETE",
                "synthetic CLOSE_COMPLETE", "READY_FOR_QUERY");
        assertThat(ledger.isEmpty()).isTrue();
    }

    @Test
    void aSyntheticAnswerWithNothingOwedAheadOfItGoesOutAtOnce() {
        expect(Kind.SYNTHETIC_CLOSE_COMPLETE, null);

        assertThat(toClient).containsExactly("synthetic CLOSE_COMPLETE");
        assertThat(ledger.isEmpty()).isTrue();
    }

    @Test
    void theEmulatorsOwnMessagesAnswersAreDroppedAndTheClientsPassed() {
        expect(Kind.OWN_QUERY, null); // SET of the client's startup parameters
        expect(Kind.ADDED_PARSE, "s1");
        expect(Kind.QUERY, null);

        server(BackendMessage.COMMAND_COMPLETE);
        server(BackendMessage.PARAMETER_STATUS); // application_name changed: the client set it at startup already
        server(BackendMessage.READY_FOR_QUERY);
        server(BackendMessage.PARSE_COMPLETE);
        server(BackendMessage.ROW_DESCRIPTION);
        server(BackendMessage.NOTICE_RESPONSE);
        server(BackendMessage.COMMAND_COMPLETE);
        server(BackendMessage.READY_FOR_QUERY);

        assertThat(toClient).containsExactly("ROW_DESCRIPTION", "NOTICE_RESPONSE", "COMMAND_COMPLETE",
                "READY_FOR_QUERY");
    }

    @Test
    void anErrorInASimpleQueryEndsAtItsReadyForQueryNotAtASync() {
        expect(Kind.QUERY, null);
        server(BackendMessage.ERROR_RESPONSE);
        assertThat(ledger.skipping()).as("a simple query's error skips nothing").isFalse();
        server(BackendMessage.READY_FOR_QUERY);
        assertThat(ledger.isEmpty()).isTrue();
    }

    @Test
    void messagesSentWhileTheServerSkipsToSyncExpectNothing() {
        expect(Kind.EXECUTE, null);
        server(BackendMessage.ERROR_RESPONSE); // no Sync yet: the server now ignores everything until one
        assertThat(ledger.skipping()).isTrue();
        expect(Kind.SYNTHETIC_PARSE_COMPLETE, null);
        expect(Kind.ADDED_PARSE, "s2");
        assertThat(toClient).as("no synthetic answer for a message the server ignores").containsExactly("ERROR_RESPONSE");
        assertThat(forgotten).containsExactly("s2");
        expect(Kind.SYNC, null);
        server(BackendMessage.READY_FOR_QUERY);
        assertThat(ledger.isEmpty()).isTrue();
    }

    private void expect(Kind kind, String statement) {
        ledger.expect(new Entry(kind, statement), type -> toClient.add("synthetic " + type), forgotten::add);
    }

    private void server(BackendMessage type) {
        if (ledger.onServerMessage(type, forgotten::add) == Verdict.FORWARD) {
            toClient.add(type.name());
        }
        ledger.emitDue(synthetic -> toClient.add("synthetic " + synthetic));
    }
}
