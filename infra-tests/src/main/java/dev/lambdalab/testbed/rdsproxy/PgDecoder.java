package dev.lambdalab.testbed.rdsproxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Frames a PostgreSQL byte stream into whole messages: a message holds its type byte (if any), its length and
 * its body. A client's first messages (StartupMessage, SSLRequest, CancelRequest) have no type byte;
 * {@link #typed()} switches to typed messages once the startup packet is read, one message at a time while
 * the login runs.
 *
 * <p>Once {@link #batched()}, each read's whole messages go on as <em>one</em> retained slice of the bytes
 * read, a batch, which {@link Wire#messageLength} walks. That is the emulator's hot path: an extended-protocol
 * transaction is 11 messages, and handing each on through the pipeline, then writing each as an outbound
 * buffer entry and iovec of its own, was most of the emulator's Java time under select-only pgbench
 * (docs/benchmarks.md, the profile). With batches, the handlers forward each run of messages they pass on
 * unchanged as one slice of the read buffer: no copy, one write.
 */
final class PgDecoder extends ByteToMessageDecoder {

    /** The largest message accepted: PostgreSQL's own limit for most messages is 1 GB; the test bed's clients need far less. */
    static final int MAX_MESSAGE = 64 * 1024 * 1024;

    private boolean typed;
    private boolean batched;

    /** A decoder for a server's stream (typed and batched from the start) when {@code server}, else for a client's. */
    PgDecoder(boolean server) {
        this.typed = server;
        this.batched = server;
    }

    /** From now on messages carry a type byte (after the client's StartupMessage). */
    void typed() {
        typed = true;
    }

    /** From now on each read's whole messages go on together, as one batch (after the client's login). */
    void batched() {
        typed = true;
        batched = true;
    }

    @Override
    protected void decode(ChannelHandlerContext context, ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int end = start;
        while (true) {
            int whole = wholeMessage(in, end);
            if (whole < 0) {
                break;
            }
            end += whole;
            if (!batched) {
                break; // the handler decides how the next message is framed (after SSLRequest: no type byte)
            }
        }
        if (end > start) {
            out.add(in.readRetainedSlice(end - start));
        }
    }

    /** The size of the message at {@code index} when all of it has arrived, else -1. */
    private int wholeMessage(ByteBuf in, int index) {
        int header = typed ? 5 : 4;
        int available = in.writerIndex() - index;
        if (available < header) {
            return -1;
        }
        int length = in.getInt(index + (typed ? 1 : 0));
        if (length < 4 || length > MAX_MESSAGE) {
            throw new Wire.ProtocolException("invalid message length " + length + " (allowed: 4 to " + MAX_MESSAGE
                    + " bytes)");
        }
        int whole = length + (typed ? 1 : 0);
        return available < whole ? -1 : whole;
    }
}
