package dev.lambdalab.testbed.pgwire;

/**
 * The messages a PostgreSQL server sends, by their type byte: "Message Formats", chapter 55 (Frontend/Backend
 * Protocol) of the PostgreSQL manual, https://www.postgresql.org/docs/current/protocol-message-formats.html. A type
 * byte means something else from the client ({@link FrontendMessage}): 'D' is DataRow here and Describe there.
 */
public enum BackendMessage {
    AUTHENTICATION('R'),
    BACKEND_KEY_DATA('K'),
    BIND_COMPLETE('2'),
    CLOSE_COMPLETE('3'),
    COMMAND_COMPLETE('C'),
    COPY_BOTH_RESPONSE('W'),
    COPY_DATA('d'),
    COPY_DONE('c'),
    COPY_IN_RESPONSE('G'),
    COPY_OUT_RESPONSE('H'),
    DATA_ROW('D'),
    EMPTY_QUERY_RESPONSE('I'),
    ERROR_RESPONSE('E'),
    FUNCTION_CALL_RESPONSE('V'),
    NEGOTIATE_PROTOCOL_VERSION('v'),
    NO_DATA('n'),
    NOTICE_RESPONSE('N'),
    NOTIFICATION_RESPONSE('A'),
    PARAMETER_DESCRIPTION('t'),
    PARAMETER_STATUS('S'),
    PARSE_COMPLETE('1'),
    PORTAL_SUSPENDED('s'),
    READY_FOR_QUERY('Z'),
    ROW_DESCRIPTION('T'),
    /** A type byte the protocol does not define: passed on as it is. */
    UNKNOWN('\0');

    private static final BackendMessage[] BY_CODE = ProtocolCodes.index(values(), BackendMessage::code, UNKNOWN);

    private final byte code;

    BackendMessage(char code) {
        this.code = (byte) code;
    }

    /** The type byte on the wire. */
    public byte code() {
        return code;
    }

    /** The message with this type byte ({@link #UNKNOWN} for one the protocol does not define). */
    public static BackendMessage of(byte code) {
        return code < 0 ? UNKNOWN : BY_CODE[code];
    }

    /**
     * Whether the server may send it between requests, unasked: "Asynchronous Operations" (protocol chapter 55.2.7):
     * NoticeResponse, NotificationResponse and ParameterStatus.
     */
    public boolean asynchronous() {
        return this == NOTICE_RESPONSE || this == NOTIFICATION_RESPONSE || this == PARAMETER_STATUS;
    }
}
