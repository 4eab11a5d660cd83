package dev.lambdalab.testbed.rdsproxy;

/**
 * Why a session was pinned: AWS's list of conditions for PostgreSQL in "Avoiding pinning an RDS Proxy"
 * (Amazon RDS User Guide), plus the rule for all engines about statement size. {@link #logText()} is the
 * reason as the emulator's pin line gives it.
 */
public enum PinReason {
    /** SET in any form (SET LOCAL and SET TRANSACTION included: AWS's list names no exception), RESET, set_config. */
    SESSION_SETTING("SQL changed session settings that the proxy doesn't track. Consider moving session"
            + " configuration to the proxy's initialization query."),
    /** SQL-level PREPARE, EXECUTE or DEALLOCATE (the protocol's named statements do not pin). */
    PREPARED_STATEMENT("A SQL-level prepared statement (PREPARE, EXECUTE or DEALLOCATE) was detected."),
    /** DISCARD of session state. */
    DISCARD("The session state was discarded (DISCARD)."),
    /** CREATE TEMPORARY TABLE, SEQUENCE or VIEW, or SELECT INTO TEMPORARY. */
    TEMPORARY_OBJECT("A temporary table, sequence or view was created."),
    /** DECLARE ... CURSOR. */
    CURSOR("A cursor was declared."),
    /** LISTEN on a notification channel. */
    LISTEN("The session listens on a notification channel (LISTEN)."),
    /** LOAD of a library module such as auto_explain. */
    LOAD("A library module was loaded (LOAD)."),
    /** nextval, setval or currval on a sequence. */
    SEQUENCE_FUNCTION("A sequence was manipulated with a session-scoped function (nextval, setval, currval)."),
    /** A session-level advisory lock (the transaction-level pg_advisory_xact_lock family does not pin). */
    ADVISORY_LOCK("A session-level advisory lock function was called."),
    /** Any statement over 16 KB of text. */
    STATEMENT_SIZE("The statement text is larger than 16 KB.");

    private final String logText;

    PinReason(String logText) {
        this.logText = logText;
    }

    public String logText() {
        return logText;
    }
}
