package dev.lambdalab.testbed.rdsproxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits a PostgreSQL byte stream into whole messages, each a retained slice holding its type byte (if
 * any), its length and its body. A client's first messages (StartupMessage, SSLRequest, CancelRequest)
 * have no type byte; {@link #typed()} switches to typed messages once the startup packet is read.
 */
final class PgDecoder extends ByteToMessageDecoder {

    /** The largest message accepted: PostgreSQL's own limit for most messages is 1 GB; the test bed's clients need far less. */
    static final int MAX_MESSAGE = 64 * 1024 * 1024;

    private boolean typed;

    /** A decoder for a server's stream (always typed) when {@code typed}, else for a client's. */
    PgDecoder(boolean typed) {
        this.typed = typed;
    }

    /** From now on messages carry a type byte (after the client's StartupMessage). */
    void typed() {
        typed = true;
    }

    @Override
    protected void decode(ChannelHandlerContext context, ByteBuf in, List<Object> out) {
        while (true) {
            int header = typed ? 5 : 4;
            if (in.readableBytes() < header) {
                return;
            }
            int length = in.getInt(in.readerIndex() + (typed ? 1 : 0));
            if (length < 4 || length > MAX_MESSAGE) {
                throw new Wire.ProtocolException("invalid message length " + length + " (allowed: 4 to " + MAX_MESSAGE
                        + " bytes)");
            }
            int whole = length + (typed ? 1 : 0);
            if (in.readableBytes() < whole) {
                return;
            }
            out.add(in.readRetainedSlice(whole));
            if (!typed) {
                return; // the handler decides whether the next message is typed (after SSLRequest it is not)
            }
        }
    }
}
