package dev.lambdalab.testbed.rdsproxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * The database connections of one user and database, shared by every client session of that user: RDS
 * Proxy's connection pool ("RDS Proxy concepts and terminology" in the Amazon RDS User Guide).
 * <ul>
 *   <li>At most {@code maxConnections} (MaxConnectionsPercent of the target's limit); opened on demand.</li>
 *   <li>A session that finds none free waits up to ConnectionBorrowTimeout, then gets RDS Proxy's
 *       "Timed-out waiting to acquire database connection" (see {@link ClientSession#borrowTimedOut}).</li>
 *   <li>Idle connections above {@code maxIdleConnections} (MaxIdleConnectionsPercent) are closed.</li>
 *   <li>A pinned connection is reset (DISCARD ALL, then the InitQuery) when its session ends, so that its session
 *       state (a SET, a temporary table, a held advisory lock) does not reach the next client, and then reused.</li>
 *   <li>While the database does not answer, opening is retried every 250 ms as long as sessions wait; when it
 *       refuses the login itself (a database that does not exist), the waiting sessions get its error at once.</li>
 * </ul>
 * Runs on the emulator's single event loop: no locks. Time is the loop's ({@link EventLoop#ticker()}), and a new
 * connection reaches PostgreSQL through a {@link Connector}, so that a test can run the pool in memory on an
 * {@code EmbeddedChannel} with a mock ticker (DatabasePoolTest).
 */
final class DatabasePool implements DatabaseConnection.Listener {

    private static final long RETRY_MILLIS = 250;

    private final String user;
    private final String password;
    private final String database;
    private final ProxyContext proxy;
    private final EventLoop loop;
    private final Connector connector;
    private final IntSupplier connectionIds;
    private final List<DatabaseConnection> connections = new ArrayList<>();
    private final Deque<DatabaseConnection> idle = new ArrayDeque<>();
    private final Deque<Waiter> waiters = new ArrayDeque<>();
    private int opening;
    private boolean retryScheduled;
    private boolean shutDown;

    /** How a new connection reaches PostgreSQL: over TCP in the emulator ({@link #tcp}), in memory in a test. */
    interface Connector {
        /** Starts connecting {@code connection}'s channel; {@code failed} gets the reason if that fails. */
        void connect(DatabaseConnection connection, Consumer<String> failed);
    }

    /** A session waiting for a connection since then, and until when (ConnectionBorrowTimeout). */
    private record Waiter(ClientSession session, long sinceNanos, long deadlineNanos) {
    }

    /**
     * The one timer of the waiting sessions: they wait in order and for the same time, so the first one's deadline is
     * the earliest; a timer per borrow (scheduled, then cancelled when a connection frees up) cost more than the
     * borrow itself under pgbench -S.
     */
    private ScheduledFuture<?> sweep;

    DatabasePool(String user, String password, String database, ProxyContext proxy, EventLoop loop,
            Connector connector, IntSupplier connectionIds) {
        this.user = user;
        this.password = password;
        this.database = database;
        this.proxy = proxy;
        this.loop = loop;
        this.connector = connector;
        this.connectionIds = connectionIds;
    }

    /** Hands the session a connection now, or when one frees up, or tells it the borrow timed out. */
    void borrow(ClientSession session) {
        if (shutDown) {
            session.serverClosed(null);
            return;
        }
        long since = now();
        DatabaseConnection connection = idle.pollFirst();
        if (connection != null) {
            hand(session, connection, since);
            return;
        }
        Duration timeout = proxy.settings().connectionBorrowTimeout();
        waiters.addLast(new Waiter(session, since, since + timeout.toNanos()));
        scheduleSweep();
        openAsNeeded();
    }

    private void scheduleSweep() {
        Waiter first = waiters.peekFirst();
        if (sweep == null && first != null) {
            sweep = loop.schedule(this::sweep, Math.max(0, first.deadlineNanos() - now()),
                    TimeUnit.NANOSECONDS);
        }
    }

    /** Tells every session whose ConnectionBorrowTimeout ran out, then waits for the next deadline. */
    private void sweep() {
        sweep = null;
        long now = now();
        while (!waiters.isEmpty() && waiters.peekFirst().deadlineNanos() <= now) {
            Waiter expired = waiters.pollFirst();
            proxy.recorder().borrowTimedOut();
            expired.session().borrowTimedOut();
        }
        scheduleSweep();
    }

    /** Forgets a waiting session (its client went away). */
    void cancel(ClientSession session) {
        waiters.removeIf(waiter -> waiter.session() == session);
    }

    /**
     * Takes a connection back at the end of a transaction or session. A pinned session that ended with nothing owed
     * has its connection reset (its open transaction rolled back first) and reused, as RDS Proxy does ("The database
     * connection was released to the connection pool upon session reset."); one that ended in the middle of a
     * request is closed.
     */
    void release(DatabaseConnection connection, boolean reusable, boolean inTransaction) {
        connection.link(null);
        if (!reusable || !connection.isReady() || inTransaction && !connection.pinned()) {
            connection.close();
            return;
        }
        if (connection.pinned()) {
            connection.reset(inTransaction, () -> {
                proxy.log("[dbConnection=" + connection.id() + "] The database connection was released to the"
                        + " connection pool upon session reset.");
                give(connection);
            });
            return;
        }
        give(connection);
    }

    private void hand(ClientSession session, DatabaseConnection connection, long sinceNanos) {
        proxy.recorder().borrowed(now() - sinceNanos);
        connection.link(session);
        session.linked(connection);
    }

    private void give(DatabaseConnection connection) {
        Waiter waiter = waiters.pollFirst();
        if (waiter != null) {
            hand(waiter.session(), connection, waiter.sinceNanos());
            return;
        }
        idle.addFirst(connection); // most recently used first, so the others can age out
        while (idle.size() > proxy.maxIdleConnections()) {
            idle.pollLast().close();
        }
    }

    private void openAsNeeded() {
        while (!shutDown && connections.size() < proxy.maxConnections() && opening < waiters.size()) {
            open();
        }
    }

    private void open() {
        DatabaseConnection connection = new DatabaseConnection(connectionIds.getAsInt(), user, password, database,
                proxy.initQuery(), this);
        connections.add(connection);
        opening++;
        proxy.databaseConnectionOpening();
        connector.connect(connection, reason -> onLoop(() -> {
            connection.failBeforeReady(reason);
            closed(connection);
        }));
    }

    /** The emulator's connector: TCP to PostgreSQL at {@code host:port}, the messages framed by {@link PgDecoder}. */
    static Connector tcp(Bootstrap bootstrap, String host, int port) {
        return (connection, failed) -> bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel channel) {
                channel.pipeline().addLast(new PgDecoder(true), connection);
            }
        }).option(ChannelOption.TCP_NODELAY, true).connect(host, port).addListener((ChannelFutureListener) future -> {
            if (!future.isSuccess()) {
                failed.accept("cannot connect to PostgreSQL at " + host + ":" + port + ": " + future.cause().getMessage());
            }
        });
    }

    /** The event loop's clock: the system's in the emulator, a mock ticker a test moves. */
    private long now() {
        return loop.ticker().nanoTime();
    }

    /** Runs on the event loop (a failed registration reports on another thread); not at all once it stopped. */
    private void onLoop(Runnable action) {
        if (loop.inEventLoop()) {
            action.run();
            return;
        }
        try {
            loop.execute(action);
        } catch (RejectedExecutionException e) {
            // the proxy is stopping: nothing to do
        }
    }

    @Override
    public void ready(DatabaseConnection connection) {
        opening--;
        proxy.recorder().databaseConnectionSetUp();
        give(connection);
    }

    @Override
    public void failed(DatabaseConnection connection, DatabaseConnection.LoginFailure failure) {
        opening--;
        if (shutDown) {
            return;
        }
        proxy.databaseConnectionFailed(failure.reason());
        if (failure.definitive()) {
            // A database that does not exist, a login the database refuses: RDS Proxy passes the database's error on
            // ("Request returned an error: ..."), rather than keeping the clients until ConnectionBorrowTimeout.
            List<Waiter> waiting = List.copyOf(waiters);
            waiters.clear();
            for (Waiter waiter : waiting) {
                waiter.session().requestFailed(failure.sqlState(), ProxyTexts.requestError(failure.databaseMessage()));
            }
            return;
        }
        if (!waiters.isEmpty() && !retryScheduled) {
            retryScheduled = true;
            loop.schedule(() -> {
                retryScheduled = false;
                openAsNeeded();
            }, RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void closed(DatabaseConnection connection) {
        if (!connections.remove(connection)) {
            return;
        }
        idle.remove(connection);
        ClientSession session = connection.linked();
        if (session != null) {
            connection.link(null);
            session.serverClosed(connection);
        }
        if (!retryScheduled) {
            openAsNeeded();
        }
    }

    /** Closes every connection (the emulator stops). */
    void closeAll() {
        shutDown = true;
        if (sweep != null) {
            sweep.cancel(false);
            sweep = null;
        }
        List<Waiter> waiting = List.copyOf(waiters);
        waiters.clear();
        for (Waiter waiter : waiting) {
            waiter.session().serverClosed(null);
        }
        for (DatabaseConnection connection : List.copyOf(connections)) {
            connection.close();
        }
    }

    int size() {
        return connections.size();
    }

    int waiting() {
        return waiters.size();
    }

    int pinned() {
        return (int) connections.stream().filter(DatabaseConnection::pinned).count();
    }

    int busy() {
        return (int) connections.stream().filter(c -> c.linked() != null).count();
    }

    /** Borrowed connections whose last ReadyForQuery said in a transaction (or a failed one). */
    int inTransaction() {
        return (int) connections.stream().filter(c -> c.linked() != null && c.inTransaction()).count();
    }

    int idleCount() {
        return idle.size();
    }
}
