package dev.lambdalab.testbed.rdsproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The quick test in front of the pinning rules may let through texts that do not pin, never stop one that does: held
 * to the rules themselves (every case of PinningRulesTest, and thousands of random statements built from the words
 * the rules know, in random case, with non-ASCII letters around), in a String and in UTF-8 bytes.
 */
class PinTriggersTest {

    static Stream<Arguments> everyPinOfTheRules() {
        return PinningRulesTest.pins();
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("everyPinOfTheRules")
    void everyTextTheRulesPinIsLetThrough(String sql, PinReason reason) {
        assertThat(PinTriggers.mayPin(sql)).as("the string: %s", abbreviated(sql)).isTrue();
        assertThat(mayPinBytes(sql)).as("its UTF-8 bytes: %s", abbreviated(sql)).isTrue();
    }

    @Test
    void pgbenchsSelectOnlyQueryAndOrdinaryStatementsNeedNoLexing() {
        for (String sql : List.of("SELECT abalance FROM pgbench_accounts WHERE aid = 48311;",
                "SELECT 1", "INSERT INTO orders (id, total) VALUES (1, 2.5) RETURNING id", "BEGIN", "COMMIT",
                "SELECT * FROM t WHERE name = 'Zoë' ORDER BY id LIMIT 10", "SHOW TRANSACTION ISOLATION LEVEL")) {
            assertThat(PinTriggers.mayPin(sql)).as("the string: %s", sql).isFalse();
            assertThat(mayPinBytes(sql)).as("its UTF-8 bytes: %s", sql).isFalse();
        }
    }

    @Test
    void noRandomStatementThatPinsIsStoppedAndBytesAndStringAgree() {
        String[] words = {"SET", "reset", "set_config", "PREPARE", "transaction", "EXECUTE", "DEALLOCATE", "discard",
            "DECLARE", "LISTEN", "load", "CREATE", "or", "replace", "TEMP", "temporary", "TABLE", "SELECT", "INTO",
            "nextval", "setval", "currval", "pg_advisory_lock", "pg_try_advisory_lock_shared", "pg_catalog", "local",
            "work_mem", "x", "Zoë", "ſet", "ＳＥＴ", "K", "1", "'s'", "$$ a $$", "--c\n", "/* c */", "(", ")", ".", ";",
            ",", "=", "\"q\""};
        Random random = new Random(20261203);
        int pinned = 0;
        for (int n = 0; n < 20_000; n++) {
            StringBuilder sql = new StringBuilder();
            int length = 1 + random.nextInt(8);
            for (int i = 0; i < length; i++) {
                String word = words[random.nextInt(words.length)];
                sql.append(random.nextBoolean() ? word : flipCase(word, random)).append(random.nextInt(4) == 0 ? "" : " ");
            }
            String text = sql.toString();
            boolean pins = PinningRules.lexed(text).isPresent();
            pinned += pins ? 1 : 0;
            if (pins) {
                assertThat(PinTriggers.mayPin(text)).as("a pinning text let through: %s", text).isTrue();
            }
            assertThat(mayPinBytes(text)).as("bytes and string agree: %s", text).isEqualTo(PinTriggers.mayPin(text));
        }
        assertThat(pinned).as("random statements that pin (the test must exercise the rules)").isGreaterThan(2_000);
    }

    private static boolean mayPinBytes(String sql) {
        byte[] utf8 = sql.getBytes(StandardCharsets.UTF_8);
        ByteBuf buffer = Unpooled.buffer().writeByte('Q').writeInt(4 + utf8.length + 1).writeBytes(utf8).writeByte(0);
        try {
            return PinTriggers.mayPin(buffer, 5, buffer.writerIndex());
        } finally {
            buffer.release();
        }
    }

    private static String flipCase(String word, Random random) {
        StringBuilder flipped = new StringBuilder();
        for (char c : word.toCharArray()) {
            flipped.append(random.nextBoolean() ? Character.toUpperCase(c) : Character.toLowerCase(c));
        }
        return flipped.toString();
    }

    private static String abbreviated(String sql) {
        return sql.length() > 80 ? sql.substring(0, 80) : sql;
    }
}
