package dev.lambdalab.testbed.rdsproxy;

import dev.lambdalab.testbed.pgwire.BackendMessage;
import dev.lambdalab.testbed.pgwire.FrontendMessage;
import dev.lambdalab.testbed.pgwire.MessageField;
import dev.lambdalab.testbed.pgwire.TransactionStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;

/**
 * PostgreSQL's wire protocol, version 3 (the "Message Formats" chapter of the PostgreSQL manual): reading
 * fields of a whole message held in a {@link ByteBuf} (type byte, Int32 length, body) and building the
 * messages the emulator sends. A message's buffer starts at its reader index; startup-phase messages have
 * no type byte.
 */
public final class Wire {

    /** The protocol version of a StartupMessage (3.0). */
    static final int PROTOCOL_3 = 196_608;
    /** The request codes that take the place of a protocol version. */
    public static final int SSL_REQUEST = 80_877_103;
    public static final int GSSENC_REQUEST = 80_877_104;
    static final int CANCEL_REQUEST = 80_877_102;

    private Wire() {
    }

    /** What a typed message from a client is. */
    static FrontendMessage frontendType(ByteBuf message) {
        return FrontendMessage.of(message.getByte(message.readerIndex()));
    }

    /** The size of the typed message at {@code index} of a batch: its type byte, then its length, which counts itself. */
    static int messageLength(ByteBuf batch, int index) {
        return 1 + batch.getInt(index + 1);
    }

    /** What a message from a server is. */
    static BackendMessage backendType(ByteBuf message) {
        return BackendMessage.of(message.getByte(message.readerIndex()));
    }

    /** ReadyForQuery's status (the byte after its type and length). */
    static TransactionStatus transactionStatus(ByteBuf readyForQuery) {
        return TransactionStatus.of(readyForQuery.getByte(readyForQuery.readerIndex() + 5));
    }

    /** A cursor over a message's body, past the type byte (if any) and the length. */
    static Reader body(ByteBuf message, boolean typed) {
        return new Reader(message, message.readerIndex() + (typed ? 5 : 4));
    }

    /** Reads the fields of a body, in order. */
    static final class Reader {
        private final ByteBuf buffer;
        private int position;

        Reader(ByteBuf buffer, int position) {
            this.buffer = buffer;
            this.position = position;
        }

        int int32() {
            int value = buffer.getInt(position);
            position += 4;
            return value;
        }

        short int16() {
            short value = buffer.getShort(position);
            position += 2;
            return value;
        }

        byte int8() {
            return buffer.getByte(position++);
        }

        /** A NUL-terminated UTF-8 string. */
        String cstring() {
            int end = buffer.indexOf(position, buffer.writerIndex(), (byte) 0);
            if (end < 0) {
                throw new ProtocolException("a string field has no terminating NUL byte");
            }
            String value = buffer.toString(position, end - position, StandardCharsets.UTF_8);
            position = end + 1;
            return value;
        }

        byte[] bytes(int length) {
            byte[] bytes = new byte[length];
            buffer.getBytes(position, bytes);
            position += length;
            return bytes;
        }

        /** The bytes from here to the end of the message. */
        byte[] rest() {
            return bytes(buffer.writerIndex() - position);
        }

        int position() {
            return position;
        }

        boolean hasMore() {
            return position < buffer.writerIndex();
        }
    }

    /** Builds a message to a server; the length is filled in after the body is written. */
    static ByteBuf message(ByteBufAllocator allocator, FrontendMessage type, Consumer<ByteBuf> body) {
        return message(allocator, type.code(), body);
    }

    /** Builds a message to a client. */
    static ByteBuf message(ByteBufAllocator allocator, BackendMessage type, Consumer<ByteBuf> body) {
        return message(allocator, type.code(), body);
    }

    private static ByteBuf message(ByteBufAllocator allocator, byte type, Consumer<ByteBuf> body) {
        ByteBuf buffer = allocator.buffer();
        buffer.writeByte(type);
        int lengthAt = buffer.writerIndex();
        buffer.writeInt(0);
        body.accept(buffer);
        buffer.setInt(lengthAt, buffer.writerIndex() - lengthAt);
        return buffer;
    }

    static void cstring(ByteBuf buffer, String value) {
        buffer.writeCharSequence(value, StandardCharsets.UTF_8);
        buffer.writeByte(0);
    }

    /**
     * An ErrorResponse: severity (S and V), SQLState (C) and message (M), the fields every client reads.
     */
    static ByteBuf error(ByteBufAllocator allocator, String severity, String sqlState, String text) {
        return message(allocator, BackendMessage.ERROR_RESPONSE, b -> {
            b.writeByte(MessageField.SEVERITY.code());
            cstring(b, severity);
            b.writeByte(MessageField.SEVERITY_NONLOCALIZED.code());
            cstring(b, severity);
            b.writeByte(MessageField.CODE.code());
            cstring(b, sqlState);
            b.writeByte(MessageField.MESSAGE.code());
            cstring(b, text);
            b.writeByte(0); // the list's terminator
        });
    }

    /** One field of an ErrorResponse or NoticeResponse, or an empty string. */
    static String errorField(ByteBuf message, MessageField field) {
        Reader reader = body(message, true);
        while (reader.hasMore()) {
            byte code = reader.int8();
            if (code == 0) {
                break;
            }
            String value = reader.cstring();
            if (code == field.code()) {
                return value;
            }
        }
        return "";
    }

    static ByteBuf authentication(ByteBufAllocator allocator, int code, byte[] data) {
        return message(allocator, BackendMessage.AUTHENTICATION, b -> {
            b.writeInt(code);
            b.writeBytes(data);
        });
    }

    static ByteBuf parameterStatus(ByteBufAllocator allocator, String name, String value) {
        return message(allocator, BackendMessage.PARAMETER_STATUS, b -> {
            cstring(b, name);
            cstring(b, value);
        });
    }

    static ByteBuf backendKeyData(ByteBufAllocator allocator, int processId, int secretKey) {
        return message(allocator, BackendMessage.BACKEND_KEY_DATA, b -> {
            b.writeInt(processId);
            b.writeInt(secretKey);
        });
    }

    static ByteBuf readyForQuery(ByteBufAllocator allocator, TransactionStatus status) {
        return message(allocator, BackendMessage.READY_FOR_QUERY, b -> b.writeByte(status.code()));
    }

    /** A message with an empty body, such as ParseComplete or CloseComplete. */
    static ByteBuf empty(ByteBufAllocator allocator, BackendMessage type) {
        return message(allocator, type, b -> { });
    }

    static ByteBuf query(ByteBufAllocator allocator, String sql) {
        return message(allocator, FrontendMessage.QUERY, b -> cstring(b, sql));
    }

    /** A StartupMessage (protocol 3.0) with these parameters. */
    static ByteBuf startup(ByteBufAllocator allocator, Map<String, String> parameters) {
        ByteBuf buffer = allocator.buffer();
        buffer.writeInt(0);
        buffer.writeInt(PROTOCOL_3);
        parameters.forEach((name, value) -> {
            cstring(buffer, name);
            cstring(buffer, value);
        });
        buffer.writeByte(0);
        buffer.setInt(0, buffer.writerIndex());
        return buffer;
    }

    /** A message whose body is raw bytes (PasswordMessage, SASLInitialResponse and SASLResponse share one type). */
    static ByteBuf raw(ByteBufAllocator allocator, FrontendMessage type, byte[] body) {
        return message(allocator, type, b -> b.writeBytes(body));
    }

    /** A protocol violation by the peer: the connection is closed with this text. */
    static final class ProtocolException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message);
        }
    }
}
