package dev.lambdalab.testbed.rdsproxy;

import static dev.lambdalab.testbed.rdsproxy.InMemoryPostgres.error;
import static dev.lambdalab.testbed.rdsproxy.InMemoryPostgres.query;
import static dev.lambdalab.testbed.rdsproxy.InMemoryPostgres.received;
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
 * RDS Proxy's connection pool for one user and database, in memory with a mock clock: ConnectionBorrowTimeout to the
 * nanosecond, a freed connection handed to the longest waiter, 0 meaning "only if one is free now", and a login the
 * database refuses failing every waiter at once instead of at the timeout.
 */
class DatabasePoolTest {

    private InMemoryPostgres postgres;

    @AfterEach
    void close() {
        postgres.close();
    }

    @Test
    void aSessionThatFindsNoConnectionFreeGetsRdsProxysBorrowTimeoutAtTheDeadlineAndNotBefore() {
        postgres = new InMemoryPostgres(1, Duration.ofSeconds(5));
        EmbeddedChannel holder = holdTheOnlyConnectionInATransaction();

        EmbeddedChannel waiter = postgres.client(Map.of());
        query(waiter, "SELECT 1");
        assertThat(postgres.opened()).as("connections opened: the pool is at its limit").isEqualTo(1);
        postgres.advance(Duration.ofMillis(4999));
        assertThat(received(waiter)).as("what the waiting client got 1 ms before the deadline").isEmpty();
        assertThat(waiter.isActive()).as("the waiting client, 1 ms before the deadline").isTrue();

        postgres.advance(Duration.ofMillis(1));
        assertThat(error(waiter)).as("the waiting client's error at ConnectionBorrowTimeout")
                .isEqualTo(ProxyTexts.BORROW_TIMEOUT_SQLSTATE + " " + ProxyTexts.BORROW_TIMEOUT);
        assertThat(waiter.isActive()).as("the waiting client after its error (FATAL ends the session)").isFalse();
        assertThat(postgres.pool.waiting()).as("sessions still waiting").isZero();
        assertThat(holder.isActive()).as("the session that holds the connection").isTrue();
    }

    @Test
    void aConnectionFreedBeforeTheDeadlineGoesToTheWaitingSessionWhichThenNeverTimesOut() {
        postgres = new InMemoryPostgres(1, Duration.ofSeconds(5));
        EmbeddedChannel holder = holdTheOnlyConnectionInATransaction();
        EmbeddedChannel waiter = postgres.client(Map.of());
        query(waiter, "SELECT 2");
        postgres.advance(Duration.ofSeconds(3));

        query(holder, "COMMIT");
        assertThat(postgres.queries(0)).as("the connection, before the transaction ended").containsExactly("COMMIT");
        postgres.complete(0, "COMMIT", TransactionStatus.IDLE);
        assertThat(postgres.queries(0)).as("the connection, once ReadyForQuery said idle").containsExactly("SELECT 2");
        postgres.complete(0, "SELECT 1", TransactionStatus.IDLE);
        postgres.advance(Duration.ofSeconds(10));

        assertThat(received(waiter)).as("the waiting client's answer, on the freed connection")
                .containsExactly(BackendMessage.COMMAND_COMPLETE, BackendMessage.READY_FOR_QUERY);
        assertThat(waiter.isActive()).as("the waiting client, past the deadline it no longer waits for").isTrue();
        assertThat(postgres.opened()).as("connections opened").isEqualTo(1);
    }

    @Test
    void aBorrowTimeoutOfZeroFailsASessionUnlessAConnectionIsFreeAtThatMoment() {
        postgres = new InMemoryPostgres(1, Duration.ZERO);
        EmbeddedChannel first = postgres.client(Map.of());
        query(first, "SELECT 1");
        postgres.advance(Duration.ZERO);

        assertThat(error(first)).as("a client with no connection free at once, ConnectionBorrowTimeout 0")
                .isEqualTo(ProxyTexts.BORROW_TIMEOUT_SQLSTATE + " " + ProxyTexts.BORROW_TIMEOUT);
        postgres.acceptLogin(0); // the connection opened for it arrives afterwards and waits, idle
        assertThat(postgres.pool.idleCount()).as("idle connections once the login is done").isEqualTo(1);

        EmbeddedChannel second = postgres.client(Map.of());
        query(second, "SELECT 1");
        postgres.advance(Duration.ZERO);
        assertThat(postgres.queries(0)).as("the next client's query, on the idle connection").containsExactly("SELECT 1");
        assertThat(second.isActive()).as("a client that found a connection free").isTrue();
    }

    @Test
    void aLoginTheDatabaseRefusesFailsEveryWaitingSessionAtOnceWithItsError() {
        postgres = new InMemoryPostgres(2, Duration.ofSeconds(120));
        List<EmbeddedChannel> clients = List.of(postgres.client(Map.of()), postgres.client(Map.of()));
        clients.forEach(client -> query(client, "SELECT 1"));
        assertThat(postgres.opened()).as("one connection opened per waiting session").isEqualTo(2);

        postgres.refuseLogin(0, "3D000", "database \"lab\" does not exist");

        for (EmbeddedChannel client : clients) {
            assertThat(error(client)).as("each waiting client, with no time passed")
                    .isEqualTo("3D000 " + ProxyTexts.requestError("database \"lab\" does not exist"));
        }
        assertThat(postgres.pool.waiting()).as("sessions still waiting").isZero();
    }

    @Test
    void aLoginRefusedForCapacityIsRetriedWhileSessionsWait() {
        postgres = new InMemoryPostgres(1, Duration.ofSeconds(5));
        EmbeddedChannel client = postgres.client(Map.of());
        query(client, "SELECT 1");
        postgres.refuseLogin(0, "53300", "too many connections for role \"app\"");
        assertThat(received(client)).as("the client, after a refusal for capacity (53300)").isEmpty();

        postgres.advance(Duration.ofMillis(250));
        assertThat(postgres.opened()).as("connections opened after the 250 ms retry").isEqualTo(2);
        postgres.acceptLogin(1);
        assertThat(postgres.queries(1)).as("the client's query, on the retried connection").containsExactly("SELECT 1");
    }

    /** A client that opened the pool's only connection and is in a transaction on it. */
    private EmbeddedChannel holdTheOnlyConnectionInATransaction() {
        EmbeddedChannel holder = postgres.client(Map.of());
        query(holder, "BEGIN");
        postgres.acceptLogin(0);
        assertThat(postgres.queries(0)).as("what the first client's connection carried").containsExactly("BEGIN");
        postgres.complete(0, "BEGIN", TransactionStatus.IN_TRANSACTION);
        received(holder);
        return holder;
    }
}
