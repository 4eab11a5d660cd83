package dev.lambdalab.testbed.proxy;

/**
 * A proxy's connections at one instant: one database/user line of PgBouncer's {@code SHOW POOLS}, or the
 * RDS Proxy emulator's metrics in the same shape.
 *
 * @param clientActive client connections linked to a server connection or idle
 * @param clientWaiting client connections waiting for a server connection
 * @param serverActive server connections in use by a client
 * @param serverIdle server connections idle and ready
 * @param serverOther server connections being tested, logged in or just released (used/tested/login)
 * @param maxWaitMicros how long the oldest waiting client has waited
 * @param serverPinned server connections pinned to one client session (RDS Proxy's
 *     DatabaseConnectionsCurrentlySessionPinned; always 0 for PgBouncer, which never pins)
 */
public record PoolsSnapshot(int clientActive, int clientWaiting, int serverActive, int serverIdle, int serverOther,
        long maxWaitMicros, int serverPinned) {

    public static final PoolsSnapshot EMPTY = new PoolsSnapshot(0, 0, 0, 0, 0, 0, 0);

    public int clients() {
        return clientActive + clientWaiting;
    }

    public int servers() {
        return serverActive + serverIdle + serverOther;
    }
}
