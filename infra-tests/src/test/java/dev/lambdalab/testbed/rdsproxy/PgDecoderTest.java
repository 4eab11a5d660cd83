package dev.lambdalab.testbed.rdsproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdalab.testbed.pgwire.FrontendMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The message framing, in memory with Netty's EmbeddedChannel: whole messages out however the bytes arrive, batched per
 * read once the login is over.
 */
class PgDecoderTest {

    @Test
    void aPipelinedParseBindExecuteSyncArrivingByteByByteComesOutAsFourWholeMessages() {
        ByteBuf pipeline = parseBindExecuteSync();
        EmbeddedChannel channel = new EmbeddedChannel(new PgDecoder(true));

        List<FrontendMessage> decoded = new ArrayList<>();
        while (pipeline.isReadable()) {
            channel.writeInbound(pipeline.readRetainedSlice(1));
            for (ByteBuf batch = channel.readInbound(); batch != null; batch = channel.readInbound()) {
                decoded.addAll(walk(batch));
                batch.release();
            }
        }
        pipeline.release();

        assertThat(decoded).containsExactly(FrontendMessage.PARSE, FrontendMessage.BIND, FrontendMessage.EXECUTE,
                FrontendMessage.SYNC);
        assertThat(channel.finish()).as("nothing left over").isFalse();
    }

    @Test
    void onceBatchedAReadsWholeMessagesGoOnAsOneBatchAndAPartialOneWaits() {
        ByteBuf pipeline = parseBindExecuteSync();
        int all = pipeline.readableBytes();
        EmbeddedChannel channel = new EmbeddedChannel(new PgDecoder(true));

        channel.writeInbound(pipeline.readRetainedSlice(all - 2)); // Sync's last two bytes not yet arrived
        ByteBuf first = channel.readInbound();
        assertThat(walk(first)).as("the three whole messages, in one batch")
                .containsExactly(FrontendMessage.PARSE, FrontendMessage.BIND, FrontendMessage.EXECUTE);
        assertThat(channel.<ByteBuf>readInbound()).as("one batch per read").isNull();
        channel.writeInbound(pipeline.readRetainedSlice(2));
        ByteBuf second = channel.readInbound();
        assertThat(walk(second)).containsExactly(FrontendMessage.SYNC);

        first.release();
        second.release();
        pipeline.release();
        assertThat(channel.finish()).as("nothing left over").isFalse();
    }

    @Test
    void beforeItIsBatchedAClientsTypedMessagesGoOnOneAtATime() {
        ByteBuf pipeline = parseBindExecuteSync();
        PgDecoder decoder = new PgDecoder(false);
        decoder.typed();
        EmbeddedChannel channel = new EmbeddedChannel(decoder);

        channel.writeInbound(pipeline);
        int batches = 0;
        for (ByteBuf message = channel.readInbound(); message != null; message = channel.readInbound()) {
            assertThat(walk(message)).as("one message per read during the login").hasSize(1);
            batches++;
            message.release();
        }

        assertThat(batches).isEqualTo(4);
        assertThat(channel.finish()).as("nothing left over").isFalse();
    }

    /** The types of a batch's messages, checking each is whole. */
    private static List<FrontendMessage> walk(ByteBuf batch) {
        List<FrontendMessage> types = new ArrayList<>();
        int index = batch.readerIndex();
        while (index < batch.writerIndex()) {
            int length = Wire.messageLength(batch, index);
            assertThat(index + length).as("a whole message: type, length, body").isLessThanOrEqualTo(batch.writerIndex());
            types.add(FrontendMessage.of(batch.getByte(index)));
            index += length;
        }
        return types;
    }

    private static ByteBuf parseBindExecuteSync() {
        ByteBuf pipeline = Unpooled.buffer();
        ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
        for (ByteBuf message : List.of(
                Wire.message(allocator, FrontendMessage.PARSE, b -> {
                    Wire.cstring(b, "");
                    Wire.cstring(b, "SELECT $1");
                    b.writeShort(0);
                }),
                Wire.message(allocator, FrontendMessage.BIND, b -> b.writeBytes(new byte[] {0, 0, 0, 0, 0, 1, 0, 0})),
                Wire.message(allocator, FrontendMessage.EXECUTE, b -> {
                    Wire.cstring(b, "");
                    b.writeInt(0);
                }),
                Wire.message(allocator, FrontendMessage.SYNC, b -> { }))) {
            pipeline.writeBytes(message);
            message.release();
        }
        return pipeline;
    }

    @Test
    void aLengthOutsideTheProtocolsBoundsIsRefusedWithTheValue() {
        EmbeddedChannel channel = new EmbeddedChannel(new PgDecoder(true));
        ByteBuf bad = Unpooled.buffer().writeByte(FrontendMessage.QUERY.code()).writeInt(2);

        assertThatThrownBy(() -> channel.writeInbound(bad)).isInstanceOf(DecoderException.class)
                .hasMessageContaining("invalid message length 2 (allowed: 4 to 67108864 bytes)");
    }

    @Test
    void theStartupPacketHasNoTypeByte() {
        EmbeddedChannel channel = new EmbeddedChannel(new PgDecoder(false));
        ByteBuf sslRequest = Unpooled.buffer().writeInt(8).writeInt(Wire.SSL_REQUEST);

        channel.writeInbound(sslRequest);
        ByteBuf message = channel.readInbound();

        assertThat(message.readableBytes()).isEqualTo(8);
        assertThat(message.getInt(4)).isEqualTo(Wire.SSL_REQUEST);
        message.release();
    }
}
