package dev.lambdalab.testbed.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Little's law for a storm of cold starts: the arithmetic the README and LambdaPool quote. */
class StormModelTest {

    private final StormModel defaults = new StormModel(5, 50, 3_000, 5_000, 2);

    @Test
    void theWaitIsCallersTimesHoldOverConnectionsLessOneHold() {
        assertThat(defaults.waitMillis(5)).as("as many callers as connections: no wait").isZero();
        assertThat(defaults.waitMillis(1)).as("fewer callers than connections").isZero();
        assertThat(defaults.waitMillis(100)).as("100 x 50 / 5 - 50").isEqualTo(950.0);
    }

    @Test
    void twoSetupStatementsWithinThreeSecondsAllowAHundredAndFiftyFiveCallers() {
        assertThat(defaults.limit()).as("5 x (3000 / 2 + 50) / 50").isEqualTo(155);
        assertThat(defaults.holds(155)).as("at the limit").isTrue();
        assertThat(defaults.holds(156)).as("one over").isFalse();
        assertThat(defaults.bindingTimeout()).contains("connectionTimeout");
    }

    @Test
    void withoutSetupStatementsTheProxysBorrowTimeoutDecides() {
        StormModel noSetup = new StormModel(5, 50, 3_000, 5_000, 0);

        assertThat(noSetup.limit()).as("5 x (5000 + 50) / 50").isEqualTo(505);
        assertThat(noSetup.bindingTimeout()).contains("ConnectionBorrowTimeout");
    }

    @Test
    void eachSetupStatementRemovedRaisesTheLimit() {
        int[] limits = new int[4];
        for (int statements = 1; statements <= 3; statements++) {
            limits[statements] = new StormModel(5, 50, 3_000, 5_000, statements).limit();
        }
        assertThat(limits[1]).as("1 setup statement: 5 x (3000 + 50) / 50").isEqualTo(305);
        assertThat(limits[2]).as("2: 5 x (1500 + 50) / 50").isEqualTo(155);
        assertThat(limits[3]).as("3: 5 x (1000 + 50) / 50").isEqualTo(105);
    }

    @Test
    void badInputNamesTheFieldAndTheValue() {
        assertThatThrownBy(() -> new StormModel(0, 50, 3_000, 5_000, 2)).hasMessage(
                "databaseConnections must be at least 1, got 0");
        assertThatThrownBy(() -> new StormModel(5, 0, 3_000, 5_000, 2)).hasMessage(
                "holdMillis must be at least 1 ms, got 0");
        assertThatThrownBy(() -> new StormModel(5, 50, 3_000, 5_000, -1)).hasMessage(
                "setupStatements must be 0 or more, got -1");
    }
}
