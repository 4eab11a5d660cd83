package dev.lambdalab.testbed.pgwire;

/**
 * The field codes of ErrorResponse and NoticeResponse that the test bed writes or reads: "Error and Notice Message
 * Fields", PostgreSQL manual chapter 55.8, https://www.postgresql.org/docs/current/protocol-error-fields.html.
 */
public enum MessageField {
    /** Severity, possibly localized (ERROR, FATAL, ...). */
    SEVERITY('S'),
    /** Severity, never localized (PostgreSQL 9.6 and later). */
    SEVERITY_NONLOCALIZED('V'),
    /** The SQLSTATE code. */
    CODE('C'),
    /** The primary message. */
    MESSAGE('M');

    private final byte code;

    MessageField(char code) {
        this.code = (byte) code;
    }

    public byte code() {
        return code;
    }
}
