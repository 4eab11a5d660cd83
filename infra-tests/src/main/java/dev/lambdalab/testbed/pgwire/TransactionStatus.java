package dev.lambdalab.testbed.pgwire;

/**
 * The status byte of ReadyForQuery ("Message Formats", PostgreSQL manual chapter 55): where the session stands when
 * the server is ready for the next request. A proxy may hand the connection to another client only at {@link #IDLE}.
 */
public enum TransactionStatus {
    IDLE('I'),
    IN_TRANSACTION('T'),
    /** In a transaction that failed: everything up to its end is refused. */
    FAILED('E');

    private final byte code;

    TransactionStatus(char code) {
        this.code = (byte) code;
    }

    public byte code() {
        return code;
    }

    /** The status with this byte; a byte the protocol does not define is a protocol violation. */
    public static TransactionStatus of(byte code) {
        for (TransactionStatus status : values()) {
            if (status.code == code) {
                return status;
            }
        }
        throw new IllegalArgumentException("ReadyForQuery's status must be I, T or E, got byte " + code);
    }
}
