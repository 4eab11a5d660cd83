package dev.lambdalab.testbed.rdsproxy;

import dev.lambdalab.testbed.pgwire.DescribeTarget;
import dev.lambdalab.testbed.pgwire.FrontendMessage;
import io.netty.buffer.ByteBuf;

/** Extended-protocol messages as a client sends them, for the in-memory tests. */
final class ClientMessages {

    private ClientMessages() {
    }

    static ByteBuf parse(String name, String sql) {
        return Wire.message(InMemoryPostgres.ALLOC, FrontendMessage.PARSE, b -> {
            Wire.cstring(b, name);
            Wire.cstring(b, sql);
            b.writeShort(0);
        });
    }

    static ByteBuf bind(String portal, String statement) {
        return Wire.message(InMemoryPostgres.ALLOC, FrontendMessage.BIND, b -> {
            Wire.cstring(b, portal);
            Wire.cstring(b, statement);
            b.writeShort(0).writeShort(0).writeShort(0);
        });
    }

    static ByteBuf execute(String portal) {
        return Wire.message(InMemoryPostgres.ALLOC, FrontendMessage.EXECUTE, b -> {
            Wire.cstring(b, portal);
            b.writeInt(0);
        });
    }

    static ByteBuf closeStatement(String statement) {
        return Wire.message(InMemoryPostgres.ALLOC, FrontendMessage.CLOSE, b -> {
            b.writeByte(DescribeTarget.STATEMENT.code());
            Wire.cstring(b, statement);
        });
    }

    static ByteBuf sync() {
        return Wire.message(InMemoryPostgres.ALLOC, FrontendMessage.SYNC, b -> { });
    }
}
