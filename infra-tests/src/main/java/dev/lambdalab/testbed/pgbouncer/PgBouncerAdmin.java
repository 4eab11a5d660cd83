package dev.lambdalab.testbed.pgbouncer;

import dev.lambdalab.testbed.proxy.PoolsSnapshot;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * PgBouncer's admin console: {@code SHOW POOLS} for the test bed's database, and the commands fault
 * scenarios use. One connection, shared and thread-safe.
 */
public final class PgBouncerAdmin implements AutoCloseable {

    /** Opens a console connection. */
    @FunctionalInterface
    interface ConsoleOpener {
        PgBouncerConsole open() throws IOException;
    }

    private final ConsoleOpener opener;
    private final String database;
    private final String excludedUser;
    private PgBouncerConsole console;

    PgBouncerAdmin(ConsoleOpener opener, String database, String excludedUser) throws IOException {
        this.opener = opener;
        this.database = database;
        this.excludedUser = excludedUser;
        this.console = opener.open();
    }

    /**
     * The pools of the database summed over its users, the monitoring user left out (the sampler's own
     * connection would otherwise count as a client).
     */
    public PoolsSnapshot pools() throws IOException {
        int clientActive = 0;
        int clientWaiting = 0;
        int serverActive = 0;
        int serverIdle = 0;
        int serverOther = 0;
        long maxWait = 0;
        for (Map<String, String> row : query("SHOW POOLS")) {
            if (!database.equals(row.get("database")) || excludedUser.equals(row.get("user"))) {
                continue;
            }
            clientActive += number(row, "cl_active");
            clientWaiting += number(row, "cl_waiting");
            serverActive += number(row, "sv_active");
            serverIdle += number(row, "sv_idle");
            serverOther += number(row, "sv_used") + number(row, "sv_tested") + number(row, "sv_login");
            maxWait = Math.max(maxWait, number(row, "maxwait") * 1_000_000L + number(row, "maxwait_us"));
        }
        return new PoolsSnapshot(clientActive, clientWaiting, serverActive, serverIdle, serverOther, maxWait, 0);
    }

    /** Any admin command ({@code PAUSE lab}, {@code KILL lab}, {@code RESUME lab}); returns its rows. */
    public List<Map<String, String>> command(String command) throws IOException {
        return query(command);
    }

    /** Runs a console query; a dropped console connection (PgBouncer restarted) is opened again once. */
    private synchronized List<Map<String, String>> query(String sql) throws IOException {
        if (console == null) {
            console = opener.open();
        }
        try {
            return console.query(sql);
        } catch (IOException dropped) {
            console.close();
            console = null;
            console = opener.open();
            return console.query(sql);
        }
    }

    private static int number(Map<String, String> row, String column) {
        String value = row.get(column);
        return value == null ? 0 : Integer.parseInt(value);
    }

    @Override
    public synchronized void close() {
        if (console != null) {
            console.close();
            console = null;
        }
    }
}
