package dev.lambdalab.testbed.rdsproxy;

import io.netty.buffer.ByteBuf;

/**
 * Consecutive messages of one read buffer that the emulator passes on unchanged, to be written as one slice of
 * that buffer: no copy, and one outbound buffer entry and iovec instead of one per message. A message that does
 * not continue the run (another buffer, or a gap where a message was dropped or rewritten) ends it, and the
 * caller writes what {@link #add} returns before anything else, which keeps the order.
 *
 * <p>The run only holds indexes into its buffer: the caller {@link #take}s it before the buffer is released
 * (at the end of the read that brought it).
 */
final class ForwardRun {

    private ByteBuf source;
    private int start;
    private int end;

    /**
     * Adds the message at {@code index} of {@code buffer}, {@code length} bytes.
     *
     * @return the run it ends, as a retained slice to write first; null when it continues the run
     */
    ByteBuf add(ByteBuf buffer, int index, int length) {
        if (buffer == source && index == end) {
            end += length;
            return null;
        }
        ByteBuf ended = take();
        source = buffer;
        start = index;
        end = index + length;
        return ended;
    }

    /** The run as a retained slice of its buffer, and empties it; null when it is empty. */
    ByteBuf take() {
        if (source == null) {
            return null;
        }
        ByteBuf run = source.retainedSlice(start, end - start);
        source = null;
        return run;
    }

    /** Forgets the run without writing it (its destination is gone). */
    void clear() {
        source = null;
    }
}
