package dev.lambdalab.testbed.pgbouncer;

/** PgBouncer is not installed: the message says how to install it. */
public final class PgBouncerNotFoundException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    PgBouncerNotFoundException() {
        super("PgBouncer is not installed (looked on PATH and at /usr/sbin/pgbouncer). Install it with"
                + " 'sudo apt-get install -y pgbouncer' (Debian, Ubuntu) or 'brew install pgbouncer' (macOS).");
    }
}
