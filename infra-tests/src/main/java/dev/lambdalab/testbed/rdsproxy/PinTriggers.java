package dev.lambdalab.testbed.rdsproxy;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A quick, conservative test that SQL text cannot pin: every condition {@link PinningRules} checks needs one of a few
 * words in the text ({@code set} also covers {@code reset}, {@code setval} and {@code set_config}; {@code temp} covers
 * {@code CREATE TEMP ...} and {@code SELECT ... INTO TEMP}; {@code advisory} the advisory-lock functions), so a text
 * without any of them needs no lexing. pgbench's select-only transaction in the simple protocol has a new literal in
 * every query, so no cache helps there, and lexing each text was most of the emulator's cost per query (JFR, pgbench
 * -S -M simple against {@code testbed proxy}).
 *
 * <p>Exact, not a heuristic: the lexer lower-cases words with {@code toLowerCase(Locale.ROOT)}, under which only ASCII
 * letters become these ASCII letters (the Kelvin sign becomes {@code k}, which no word here has), and in UTF-8 no byte
 * of a multi-byte character is ASCII; so an ASCII case-insensitive search of the text, or of its UTF-8 bytes, finds a
 * word whenever the lexer would. It may find more (in a string, a comment, {@code UPDATE ... SET}): those texts are
 * lexed as before. {@code PinTriggersTest} checks it against the rules' own cases.
 */
final class PinTriggers {

    private static final String[] WORDS = {"set", "prepare", "execute", "deallocate", "discard", "declare", "listen",
        "load", "temp", "nextval", "currval", "advisory"};
    /** The words by their first letter, in ASCII lower case: the search looks only at letters that start one. */
    private static final byte[][][] BY_FIRST_LETTER = new byte[128][][];

    static {
        for (String word : WORDS) {
            byte[][] known = BY_FIRST_LETTER[word.charAt(0)];
            byte[][] grown = known == null ? new byte[1][] : Arrays.copyOf(known, known.length + 1);
            grown[grown.length - 1] = word.getBytes(StandardCharsets.US_ASCII);
            BY_FIRST_LETTER[word.charAt(0)] = grown;
        }
    }

    private PinTriggers() {
    }

    /** False when the text cannot pin; true when the rules must look (a trigger word, or more than 16 KB). */
    static boolean mayPin(String sql) {
        int length = sql.length();
        if ((long) length * 3 > PinningRules.MAX_UNPINNED_STATEMENT_BYTES) {
            return true; // possibly over the size limit in UTF-8: the rules measure it
        }
        for (int i = 0; i < length; i++) {
            byte[][] words = candidates(sql.charAt(i));
            if (words != null) {
                for (byte[] word : words) {
                    if (i + word.length <= length && matches(word, sql, i)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * The same for UTF-8 text in {@code buffer} from {@code from} to {@code to} (exclusive), without decoding it. The
     * bytes are copied out once: reading a buffer byte by byte checks its reference count on every read, which cost
     * more than the search (JFR).
     */
    static boolean mayPin(ByteBuf buffer, int from, int to) {
        if (to - from > PinningRules.MAX_UNPINNED_STATEMENT_BYTES) {
            return true;
        }
        byte[] text = new byte[to - from];
        buffer.getBytes(from, text);
        for (int i = 0; i < text.length; i++) {
            byte[][] words = candidates((char) (text[i] & 0xff));
            if (words != null) {
                for (byte[] word : words) {
                    if (i + word.length <= text.length && matches(word, text, i)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** The words that start with this character in ASCII lower case, or null. */
    private static byte[][] candidates(char c) {
        return c < 128 ? BY_FIRST_LETTER[c | 0x20] : null;
    }

    private static boolean matches(byte[] word, String text, int at) {
        for (int k = 1; k < word.length; k++) {
            char c = text.charAt(at + k);
            if (c >= 128 || (c | 0x20) != word[k]) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(byte[] word, byte[] text, int at) {
        for (int k = 1; k < word.length; k++) {
            int c = text[at + k] & 0xff;
            if (c >= 128 || (c | 0x20) != word[k]) {
                return false;
            }
        }
        return true;
    }
}
