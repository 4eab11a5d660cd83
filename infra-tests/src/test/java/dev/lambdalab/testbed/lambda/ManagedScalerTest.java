package dev.lambdalab.testbed.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdalab.testbed.lambda.ManagedScaler.Decision;
import dev.lambdalab.testbed.lambda.ManagedScaler.Reading;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The Managed Instances scaling rule, decision by decision, on a clock the test moves. */
class ManagedScalerTest {

    private final AtomicLong now = new AtomicLong();
    private final ManagedInstances managed = ManagedInstances.defaults().withEnvironments(3, 40)
            .withTargetUtilization(50).withTiming(Duration.ofSeconds(1), Duration.ofMinutes(5));
    private final ManagedScaler scaler = new ManagedScaler(managed, now::get);

    @Test
    void utilisationAtTheTargetKeepsTheFleet() {
        scaler.record(3);

        Decision decision = scaler.decide(new Reading(3, 0.5, 0.1));

        assertThat(decision.environments()).isEqualTo(3);
    }

    @Test
    void theLargerOfSaturationAndCpuDecides() {
        scaler.record(4);

        assertThat(scaler.decide(new Reading(4, 0.2, 0.75)).environments()).as("CPU 75 %% at a target of 50 %%: 6")
                .isEqualTo(6);
        assertThat(scaler.decide(new Reading(4, 0.75, 0.2)).environments()).as("saturation alike").isEqualTo(6);
    }

    @Test
    void theFleetAtMostDoublesWithinTheWindowSoFasterGrowthMeetsThrottles() {
        scaler.record(3);

        Decision saturated = scaler.decide(new Reading(3, 1.0, 0));
        scaler.record(saturated.environments());
        now.addAndGet(Duration.ofMinutes(1).toNanos());
        Decision stillSaturated = scaler.decide(new Reading(6, 1.0, 0));
        now.addAndGet(Duration.ofMinutes(5).toNanos());
        scaler.record(6);
        Decision nextWindow = scaler.decide(new Reading(6, 1.0, 0));

        assertThat(saturated.environments()).as("wants 6 (3 x 100 / 50), allowed twice 3").isEqualTo(6);
        assertThat(stillSaturated.environments()).as("wants 12, still capped at twice the 3 of 5 minutes ago")
                .isEqualTo(6);
        assertThat(stillSaturated.reason()).contains("wants 12").contains("capped at 6: twice the 3 of 300 s ago");
        assertThat(nextWindow.environments()).as("a window later the fleet may double again").isEqualTo(12);
    }

    @Test
    void theFleetStaysWithinItsMinimumAndMaximum() {
        ManagedScaler small = new ManagedScaler(managed.withEnvironments(2, 4), now::get);
        small.record(4);

        assertThat(small.decide(new Reading(4, 1.0, 1.0)).environments()).as("MaxExecutionEnvironments").isEqualTo(4);
        assertThat(small.decide(new Reading(2, 0.0, 0.0)).environments()).as("MinExecutionEnvironments").isEqualTo(2);
    }

    @Test
    void belowHalfTheTargetItRetiresOneEnvironmentAtATime() {
        scaler.record(10);

        Decision decision = scaler.decide(new Reading(10, 0.1, 0.05));

        assertThat(decision.environments()).isEqualTo(9);
        assertThat(decision.reason()).contains("retires one idle environment");
    }
}
