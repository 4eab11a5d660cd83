package dev.lambdalab.testbed.rdsproxy;

import java.util.Objects;

/**
 * A client session pinned to its database connection: why, the statement's digest, the client's port (which tells
 * the test bed whose connection it was), and the line RDS Proxy logs for it.
 *
 * @param reason why it was pinned
 * @param digest the statement with its literals replaced by {@code $n}
 * @param clientPort the client's TCP port, as the proxy sees it
 * @param line RDS Proxy's log line
 */
public record PinEvent(PinReason reason, String digest, int clientPort, String line) {

    public PinEvent {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(line, "line");
    }
}
