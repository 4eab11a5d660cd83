package dev.lambdalab.testbed.pgwire;

/**
 * The typed messages a PostgreSQL client sends after its StartupMessage, by their type byte: "Message Formats",
 * chapter 55 of the PostgreSQL manual, https://www.postgresql.org/docs/current/protocol-message-formats.html. The
 * startup-phase messages (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest) have no type byte.
 */
public enum FrontendMessage {
    BIND('B'),
    CLOSE('C'),
    COPY_DATA('d'),
    COPY_DONE('c'),
    COPY_FAIL('f'),
    DESCRIBE('D'),
    EXECUTE('E'),
    FLUSH('H'),
    FUNCTION_CALL('F'),
    PARSE('P'),
    /** PasswordMessage, and SASLInitialResponse, SASLResponse and GSSResponse, which share its type byte. */
    PASSWORD('p'),
    QUERY('Q'),
    SYNC('S'),
    TERMINATE('X'),
    /** A type byte the protocol does not define: passed on for the server to refuse. */
    UNKNOWN('\0');

    private static final FrontendMessage[] BY_CODE = ProtocolCodes.index(values(), FrontendMessage::code, UNKNOWN);

    private final byte code;

    FrontendMessage(char code) {
        this.code = (byte) code;
    }

    /** The type byte on the wire. */
    public byte code() {
        return code;
    }

    /** The message with this type byte ({@link #UNKNOWN} for one the protocol does not define). */
    public static FrontendMessage of(byte code) {
        return code < 0 ? UNKNOWN : BY_CODE[code];
    }
}
