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

/** The message framing, in memory with Netty's EmbeddedChannel: whole messages out however the bytes arrive. */
class PgDecoderTest {

    @Test
    void aPipelinedParseBindExecuteSyncArrivingByteByByteComesOutAsFourWholeMessages() {
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
        EmbeddedChannel channel = new EmbeddedChannel(new PgDecoder(true));

        List<FrontendMessage> decoded = new ArrayList<>();
        while (pipeline.isReadable()) {
            channel.writeInbound(pipeline.readRetainedSlice(1));
            for (ByteBuf message = channel.readInbound(); message != null; message = channel.readInbound()) {
                assertThat(message.readableBytes()).as("a whole message: type, length, body")
                        .isEqualTo(1 + message.getInt(message.readerIndex() + 1));
                decoded.add(Wire.frontendType(message));
                message.release();
            }
        }
        pipeline.release();

        assertThat(decoded).containsExactly(FrontendMessage.PARSE, FrontendMessage.BIND, FrontendMessage.EXECUTE,
                FrontendMessage.SYNC);
        assertThat(channel.finish()).as("nothing left over").isFalse();
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
