package dev.lambdalab.testbed.pgbouncer;

import dev.lambdalab.testbed.pgwire.BackendMessage;
import dev.lambdalab.testbed.pgwire.FrontendMessage;
import dev.lambdalab.testbed.pgwire.MessageField;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal PostgreSQL wire-protocol client (protocol 3.0, simple queries only) for PgBouncer's admin
 * console. pgjdbc cannot be used there: it sends {@code SET extra_float_digits} to any server that
 * reports a version below 12, as the console does, and the console refuses that SET. The test bed's
 * PgBouncer trusts the monitoring user on the admin database only (auth_hba_file), so no password
 * exchange is needed here.
 */
final class PgBouncerConsole implements AutoCloseable {

    private static final int PROTOCOL_3_0 = 196_608;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    PgBouncerConsole(String host, int port, String user, Duration timeout) throws IOException {
        socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            out = socket.getOutputStream();
            ByteArrayOutputStream startup = new ByteArrayOutputStream();
            DataOutputStream body = new DataOutputStream(startup);
            body.writeInt(PROTOCOL_3_0);
            for (String part : new String[] {"user", user, "database", "pgbouncer"}) {
                body.write(part.getBytes(StandardCharsets.UTF_8));
                body.write(0);
            }
            body.write(0);
            send(0, startup.toByteArray());
            readUntilReady(null);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Runs one simple query; returns its rows as column name to text value. */
    synchronized List<Map<String, String>> query(String sql) throws IOException {
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[text.length + 1];
        System.arraycopy(text, 0, body, 0, text.length);
        send(FrontendMessage.QUERY.code(), body);
        List<Map<String, String>> rows = new ArrayList<>();
        readUntilReady(rows);
        return rows;
    }

    /**
     * Sends one message in one write. PgBouncer's admin console wants a whole packet per read and drops
     * the client ("incomplete pkt") when a message arrives split across TCP segments.
     *
     * @param type the message type, or 0 for the startup message, which has none
     */
    private void send(int type, byte[] body) throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream(body.length + 5);
        DataOutputStream data = new DataOutputStream(message);
        if (type != 0) {
            data.writeByte(type);
        }
        data.writeInt(body.length + 4);
        data.write(body);
        out.write(message.toByteArray());
        out.flush();
    }

    /** Reads messages until ReadyForQuery; collects DataRows into {@code rows} when given. */
    private void readUntilReady(List<Map<String, String>> rows) throws IOException {
        List<String> columns = List.of();
        String error = null;
        while (true) {
            int type = in.read();
            if (type < 0) {
                throw new EOFException("PgBouncer closed the admin connection");
            }
            int length = in.readInt();
            if (length < 4 || length > 16 * 1024 * 1024) {
                throw new IOException("bad message length " + length + " for message '" + (char) type + "'");
            }
            byte[] payload = new byte[length - 4];
            in.readFully(payload);
            switch (BackendMessage.of((byte) type)) {
                case AUTHENTICATION -> {
                    int code = readInt(payload, 0);
                    if (code != 0) {
                        throw new IOException("PgBouncer asked for authentication method " + code
                                + "; the console client expects trust (auth_hba_file)");
                    }
                }
                case ERROR_RESPONSE -> error = errorMessage(payload);
                case ROW_DESCRIPTION -> columns = columnNames(payload);
                case DATA_ROW -> {
                    if (rows != null) {
                        rows.add(dataRow(payload, columns));
                    }
                }
                case READY_FOR_QUERY -> {
                    if (error != null) {
                        throw new IOException("PgBouncer: " + error);
                    }
                    return;
                }
                default -> {
                    // ParameterStatus, BackendKeyData, NoticeResponse, CommandComplete: nothing to keep
                }
            }
        }
    }

    private static List<String> columnNames(byte[] payload) {
        int count = readShort(payload, 0);
        List<String> names = new ArrayList<>(count);
        int position = 2;
        for (int i = 0; i < count; i++) {
            int end = indexOfZero(payload, position);
            names.add(new String(payload, position, end - position, StandardCharsets.UTF_8));
            position = end + 1 + 18; // table oid 4, attnum 2, type oid 4, typlen 2, typmod 4, format 2
        }
        return names;
    }

    private static Map<String, String> dataRow(byte[] payload, List<String> columns) {
        int count = readShort(payload, 0);
        Map<String, String> row = new LinkedHashMap<>();
        int position = 2;
        for (int i = 0; i < count; i++) {
            int length = readInt(payload, position);
            position += 4;
            String value = null;
            if (length >= 0) {
                value = new String(payload, position, length, StandardCharsets.UTF_8);
                position += length;
            }
            row.put(i < columns.size() ? columns.get(i) : "column" + i, value);
        }
        return row;
    }

    private static String errorMessage(byte[] payload) {
        String message = "";
        String code = "";
        int position = 0;
        while (position < payload.length && payload[position] != 0) {
            byte field = payload[position];
            int end = indexOfZero(payload, position + 1);
            String value = new String(payload, position + 1, end - position - 1, StandardCharsets.UTF_8);
            if (field == MessageField.MESSAGE.code()) {
                message = value;
            } else if (field == MessageField.CODE.code()) {
                code = value;
            }
            position = end + 1;
        }
        return message + (code.isEmpty() ? "" : " (" + code + ")");
    }

    private static int indexOfZero(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return bytes.length;
    }

    private static int readInt(byte[] bytes, int at) {
        return ((bytes[at] & 0xff) << 24) | ((bytes[at + 1] & 0xff) << 16) | ((bytes[at + 2] & 0xff) << 8)
                | (bytes[at + 3] & 0xff);
    }

    private static int readShort(byte[] bytes, int at) {
        return ((bytes[at] & 0xff) << 8) | (bytes[at + 1] & 0xff);
    }

    @Override
    public synchronized void close() {
        try {
            send(FrontendMessage.TERMINATE.code(), new byte[0]);
        } catch (IOException e) {
            // the connection is going away anyway
        }
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
