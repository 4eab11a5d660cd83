package dev.lambdalab.testbed.rdsproxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * AWS's list of pinning conditions for PostgreSQL, one row each, and next to each a near miss that must not
 * pin: the same words in a string, a comment, a dollar quote or a quoted identifier, or the
 * transaction-scoped form of the same thing.
 */
class PinningRulesTest {

    static Stream<Arguments> pins() {
        return Stream.of(
                Arguments.of("SET work_mem = '8MB'", PinReason.SESSION_SETTING),
                Arguments.of("set application_name = 'lab-fixed:abc'", PinReason.SESSION_SETTING),
                Arguments.of("SET SESSION statement_timeout TO 1000", PinReason.SESSION_SETTING),
                Arguments.of("SET TIME ZONE 'UTC'", PinReason.SESSION_SETTING),
                Arguments.of("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE",
                        PinReason.SESSION_SETTING),
                Arguments.of("RESET work_mem", PinReason.SESSION_SETTING),
                Arguments.of("SELECT set_config('work_mem', '8MB', false)", PinReason.SESSION_SETTING),
                // AWS's PostgreSQL list says "SET commands" with no exception for transaction-scoped ones.
                Arguments.of("SET LOCAL work_mem = '8MB'", PinReason.SESSION_SETTING),
                Arguments.of("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", PinReason.SESSION_SETTING),
                Arguments.of("SET CONSTRAINTS ALL DEFERRED", PinReason.SESSION_SETTING),
                Arguments.of("SELECT set_config('work_mem', '8MB', true)", PinReason.SESSION_SETTING),
                Arguments.of("PREPARE q (int) AS SELECT $1", PinReason.PREPARED_STATEMENT),
                Arguments.of("EXECUTE q(1)", PinReason.PREPARED_STATEMENT),
                Arguments.of("DEALLOCATE ALL", PinReason.PREPARED_STATEMENT),
                Arguments.of("DISCARD ALL", PinReason.DISCARD),
                Arguments.of("CREATE TEMP TABLE t (id int)", PinReason.TEMPORARY_OBJECT),
                Arguments.of("create temporary sequence s", PinReason.TEMPORARY_OBJECT),
                Arguments.of("CREATE OR REPLACE TEMP VIEW v AS SELECT 1", PinReason.TEMPORARY_OBJECT),
                Arguments.of("CREATE LOCAL TEMPORARY TABLE t (id int)", PinReason.TEMPORARY_OBJECT),
                Arguments.of("SELECT 1 AS x INTO TEMP t", PinReason.TEMPORARY_OBJECT),
                Arguments.of("DECLARE c CURSOR WITH HOLD FOR SELECT 1", PinReason.CURSOR),
                Arguments.of("LISTEN jobs", PinReason.LISTEN),
                Arguments.of("LOAD 'auto_explain'", PinReason.LOAD),
                Arguments.of("SELECT nextval('orders_id_seq')", PinReason.SEQUENCE_FUNCTION),
                Arguments.of("SELECT pg_catalog.setval('s', 42)", PinReason.SEQUENCE_FUNCTION),
                Arguments.of("SELECT pg_advisory_lock(1)", PinReason.ADVISORY_LOCK),
                Arguments.of("SELECT pg_try_advisory_lock_shared(1, 2)", PinReason.ADVISORY_LOCK),
                Arguments.of("SELECT 1; SET search_path TO app", PinReason.SESSION_SETTING),
                Arguments.of("/* a comment */ SET work_mem = '8MB'", PinReason.SESSION_SETTING),
                Arguments.of("SELECT '" + "x".repeat(PinningRules.MAX_UNPINNED_STATEMENT_BYTES) + "'",
                        PinReason.STATEMENT_SIZE));
    }

    static Stream<String> nearMisses() {
        return Stream.of(
                "SELECT 'SET x'",
                "SELECT E'it''s \\' SET work_mem = 1'",
                "-- SET work_mem = '8MB'\nSELECT 1",
                "/* outer /* nested SET x */ still a comment; SET y */ SELECT 1",
                "SELECT $$PREPARE q AS SELECT 1$$",
                "SELECT $body$ LISTEN jobs $body$",
                "SELECT \"set\" FROM (SELECT 1 AS \"set\") AS t",
                "CREATE TABLE temp (id int)",
                "CREATE TABLE temporary_orders (id int)",
                "SELECT 'nextval(''s'')'",
                "SELECT my_schema.nextval(1)",
                "SELECT my_nextval('s')",
                "SELECT pg_advisory_xact_lock(1)",
                "SELECT pg_try_advisory_xact_lock_shared(1)",
                "SELECT 1 INTO orders_copy",
                "DO $$ DECLARE x int; BEGIN SET LOCAL work_mem = '1MB'; END $$",
                "PREPARE TRANSACTION 'tx1'",
                "NOTIFY jobs",
                "SELECT '" + "x".repeat(PinningRules.MAX_UNPINNED_STATEMENT_BYTES - 9) + "'");
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("pins")
    void eachConditionOnAwssListPinsWithItsReason(String sql, PinReason reason) {
        Optional<PinningRules.Pin> pin = PinningRules.check(sql);
        assertThat(pin).as("pins: %s", sql.length() > 80 ? sql.substring(0, 80) : sql).isPresent();
        assertThat(pin.get().reason()).as("reason").isEqualTo(reason);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nearMisses")
    void aNearMissOfEachConditionDoesNotPin(String sql) {
        assertThat(PinningRules.check(sql)).as("no pin: %s", sql.length() > 80 ? sql.substring(0, 80) : sql).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("digests")
    void theDigestReplacesEveryConstantSoNoValueReachesTheLog(String sql, String digest) {
        assertThat(PinningRules.check(sql).orElseThrow().digest()).isEqualTo(digest);
    }

    static Stream<Arguments> digests() {
        return Stream.of(
                Arguments.of("SET application_name = 'lab-fixed:abc'", "set application_name = $1"),
                Arguments.of("SET extra_float_digits = 3", "set extra_float_digits = $1"),
                Arguments.of("SELECT set_config('app.password', 's3cret', false)",
                        "select set_config($1, $2, false)"));
    }
}
