package dev.lambdalab.testbed.rdsproxy;

import static dev.lambdalab.testbed.rdsproxy.ClientMessages.bind;
import static dev.lambdalab.testbed.rdsproxy.ClientMessages.closeStatement;
import static dev.lambdalab.testbed.rdsproxy.ClientMessages.execute;
import static dev.lambdalab.testbed.rdsproxy.ClientMessages.parse;
import static dev.lambdalab.testbed.rdsproxy.ClientMessages.sync;
import static dev.lambdalab.testbed.rdsproxy.InMemoryPostgres.ALLOC;
import static dev.lambdalab.testbed.rdsproxy.InMemoryPostgres.batch;
import static dev.lambdalab.testbed.rdsproxy.InMemoryPostgres.commandComplete;
import static dev.lambdalab.testbed.rdsproxy.InMemoryPostgres.query;
import static dev.lambdalab.testbed.rdsproxy.InMemoryPostgres.received;
import static dev.lambdalab.testbed.rdsproxy.InMemoryPostgres.writes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdalab.testbed.pgwire.BackendMessage;
import dev.lambdalab.testbed.pgwire.TransactionStatus;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Transaction multiplexing in one client session, in memory: the connection goes back to the pool at a ReadyForQuery
 * that says idle and at no other, a pinning statement keeps it until the session ends, and the client's startup
 * parameters reach a borrowed connection without the client seeing their answers. Messages that pass through unchanged
 * go on as one write per read, in order around those the emulator drops, rewrites or answers itself.
 */
class ClientSessionTest {

    private final InMemoryPostgres postgres = new InMemoryPostgres(1, Duration.ofSeconds(5));

    @AfterEach
    void close() {
        postgres.close();
    }

    @Test
    void theConnectionGoesBackToThePoolAtAReadyForQueryThatSaysIdleOnly() {
        EmbeddedChannel client = postgres.client(Map.of());
        query(client, "BEGIN");
        postgres.acceptLogin(0);
        postgres.complete(0, "BEGIN", TransactionStatus.IN_TRANSACTION);
        assertThat(postgres.pool.idleCount()).as("idle connections in the client's transaction").isZero();
        assertThat(postgres.pool.inTransaction()).as("borrowed connections in a transaction").isEqualTo(1);

        query(client, "INSERT INTO t VALUES (1)");
        postgres.complete(0, "INSERT 0 1", TransactionStatus.FAILED);
        assertThat(postgres.pool.idleCount()).as("idle connections in a failed transaction").isZero();

        query(client, "ROLLBACK");
        postgres.complete(0, "ROLLBACK", TransactionStatus.IDLE);
        assertThat(postgres.pool.idleCount()).as("idle connections once ReadyForQuery said idle").isEqualTo(1);
        assertThat(received(client)).as("what the client got: every answer, in order").containsExactly(
                BackendMessage.COMMAND_COMPLETE, BackendMessage.READY_FOR_QUERY, BackendMessage.COMMAND_COMPLETE,
                BackendMessage.READY_FOR_QUERY, BackendMessage.COMMAND_COMPLETE, BackendMessage.READY_FOR_QUERY);
    }

    @Test
    void theFirstPinningStatementPinsTheSessionUntilItEndsAndTheConnectionIsResetForTheNextClient() {
        EmbeddedChannel client = postgres.client(Map.of());
        query(client, "SELECT 1");
        postgres.acceptLogin(0);
        postgres.complete(0, "SELECT 1", TransactionStatus.IDLE);
        assertThat(postgres.pins).as("pins after a plain SELECT").isEmpty();

        query(client, "SET search_path TO app");
        postgres.complete(0, "SET", TransactionStatus.IDLE);
        query(client, "SET statement_timeout TO 1000");
        postgres.complete(0, "SET", TransactionStatus.IDLE);
        assertThat(postgres.pins).as("pin events: the first pinning statement only").hasSize(1);
        assertThat(postgres.pins.get(0).reason()).as("the pin's reason").isEqualTo(PinReason.SESSION_SETTING);
        assertThat(postgres.pool.idleCount()).as("idle connections while pinned, at an idle ReadyForQuery").isZero();
        assertThat(postgres.pool.pinned()).as("pinned connections").isEqualTo(1);
        postgres.queries(0);

        client.close();
        assertThat(postgres.queries(0)).as("the reset of a pinned connection whose session ended")
                .containsExactly("DISCARD ALL");
        postgres.complete(0, "DISCARD ALL", TransactionStatus.IDLE);
        assertThat(postgres.pool.pinned()).as("pinned connections after the reset").isZero();
        assertThat(postgres.pool.idleCount()).as("idle connections after the reset: reused, not closed").isEqualTo(1);
        assertThat(postgres.opened()).as("connections opened").isEqualTo(1);
    }

    @Test
    void theClientsStartupParametersAreSetAheadOfItsQueryAndTheirAnswersNeverReachIt() {
        EmbeddedChannel client = postgres.client(Map.of("application_name", "lab-fixed:1"));
        query(client, "SELECT 1");
        postgres.acceptLogin(0);

        assertThat(postgres.queries(0)).as("what the connection carried").containsExactly(
                "SET \"application_name\" TO 'lab-fixed:1'", "SELECT 1");
        postgres.complete(0, "SET", TransactionStatus.IDLE);
        assertThat(received(client)).as("what the client got for the emulator's SET").isEmpty();
        postgres.complete(0, "SELECT 1", TransactionStatus.IDLE);
        assertThat(received(client)).as("what the client got for its query")
                .containsExactly(BackendMessage.COMMAND_COMPLETE, BackendMessage.READY_FOR_QUERY);
        assertThat(postgres.pins).as("pins: startup parameters do not pin").isEmpty();

        EmbeddedChannel same = postgres.client(Map.of("application_name", "lab-fixed:1"));
        query(same, "SELECT 2");
        assertThat(postgres.queries(0)).as("a second client with the same parameters: no SET again")
                .containsExactly("SELECT 2");
    }

    @Test
    void aReadsMessagesThatPassUnchangedGoOnAsOneWriteEachWay() {
        EmbeddedChannel client = inATransaction();

        client.writeInbound(batch(parse("", "SELECT 1"), bind("", ""), execute(""), sync()));
        assertThat(writes(postgres.server(0))).as("what the connection was sent, write by write")
                .containsExactly(types("PBES"));
        postgres.server(0).writeInbound(batch(Wire.empty(ALLOC, BackendMessage.PARSE_COMPLETE),
                Wire.empty(ALLOC, BackendMessage.BIND_COMPLETE), commandComplete("SELECT 1"),
                Wire.readyForQuery(ALLOC, TransactionStatus.IN_TRANSACTION)));

        assertThat(writes(client)).as("what the client was sent, write by write").containsExactly(types("12CZ"));
    }

    @Test
    void anAnswerTheEmulatorGivesItselfSplitsTheRunAndKeepsItsPlace() {
        EmbeddedChannel client = inATransaction();

        // A named statement is renamed (a new Parse and Bind); its Close is answered by the emulator, not sent.
        client.writeInbound(batch(parse("S_1", "SELECT 1"), bind("", "S_1"), execute(""), closeStatement("S_1"), sync()));
        assertThat(writes(postgres.server(0))).as("what the connection was sent, write by write")
                .containsExactly(types("P"), types("B"), types("E"), types("S"));
        postgres.server(0).writeInbound(batch(Wire.empty(ALLOC, BackendMessage.PARSE_COMPLETE),
                Wire.empty(ALLOC, BackendMessage.BIND_COMPLETE), commandComplete("SELECT 1"),
                Wire.readyForQuery(ALLOC, TransactionStatus.IN_TRANSACTION)));

        assertThat(writes(client)).as("the emulator's CloseComplete between the server's answers, in the client's order")
                .containsExactly(types("12C"), types("3"), types("Z"));
    }

    /** A client whose session holds connection 0 in a transaction, with nothing left to read on either side. */
    private EmbeddedChannel inATransaction() {
        EmbeddedChannel client = postgres.client(Map.of());
        query(client, "BEGIN");
        postgres.acceptLogin(0);
        postgres.complete(0, "BEGIN", TransactionStatus.IN_TRANSACTION);
        writes(postgres.server(0));
        writes(client);
        return client;
    }

    private static List<Byte> types(String codes) {
        return codes.chars().mapToObj(code -> (byte) code).toList();
    }
}
