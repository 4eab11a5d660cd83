package dev.lambdalab.testbed.lambda;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The scaling rule of the Managed Instances emulation, modelled on "Scaling Lambda Managed Instances": the fleet
 * "does not scale when invocations arrive"; it "scales asynchronously based on CPU resource utilization and
 * multi-concurrency saturation of execution environments", and "if your traffic more than doubles within 5
 * minutes, you may see throttles as Lambda scales up". AWS publishes no formula; this is ours, stated once:
 *
 * <ol>
 *   <li>Every {@code scalingPeriod} the scaler reads the fleet's utilisation over the period: the larger of its
 *       multi-concurrency saturation (invocations in flight, averaged over time, over environments x
 *       PerExecutionEnvironmentMaxConcurrency) and its CPU use (CPU time of the environments over the period's
 *       length x their vCPUs).
 *   <li>It wants {@code ceil(environments x utilisation / target)} environments, target tracking as the capacity
 *       provider's {@code AverageCPUUtilization} policy does, within MinExecutionEnvironments and
 *       MaxExecutionEnvironments.
 *   <li>It never wants more than twice the fleet it had one {@code doublingWindow} ago: traffic that more than
 *       doubles within the window finds every worker busy, and the router answers 429 ("Lambda Managed Instances
 *       might reject new invokes to protect invokes that are already in flight").
 *   <li>Below half the target it retires one idle environment per period, never below the minimum ("scale-in:
 *       gradual").
 * </ol>
 *
 * New environments initialise in the background and take traffic once their runtime asks for its first event.
 */
final class ManagedScaler {

    /** What the scaler saw in one period. */
    record Reading(int environments, double saturation, double cpu) {
        /** The signal it scales on: the larger of the two. */
        double utilization() {
            return Math.max(saturation, cpu);
        }
    }

    /** What the scaler decided, and why, as one log line. */
    record Decision(int environments, int wanted, int cap, String reason) {
        boolean grows(int current) {
            return environments > current;
        }
    }

    private final ManagedInstances managed;
    private final NanoClock clock;
    /** The fleet's size at each decision, oldest first, kept for one doubling window: {@code {nanoTime, size}}. */
    private final List<long[]> history = new ArrayList<>();

    ManagedScaler(ManagedInstances managed, NanoClock clock) {
        this.managed = managed;
        this.clock = clock;
    }

    /** Records the fleet's size now, as the publish left it or a decision made it. */
    synchronized void record(int environments) {
        long now = clock.nanoTime();
        history.add(new long[] {now, environments});
        long horizon = now - managed.doublingWindow().toNanos();
        // Keep the newest entry at or before the horizon: it is the size the window started with.
        while (history.size() > 1 && history.get(1)[0] <= horizon) {
            history.remove(0);
        }
    }

    /** The fleet's size one doubling window ago (the oldest size kept when the function is younger than that). */
    synchronized int sizeOneWindowAgo() {
        return history.isEmpty() ? managed.minEnvironments() : (int) history.get(0)[1];
    }

    /** The decision for a period's reading. */
    Decision decide(Reading reading) {
        int current = reading.environments();
        double target = managed.targetUtilizationPercent() / 100.0;
        double utilization = reading.utilization();
        int cap = Math.min(managed.maxEnvironments(), Math.max(1, 2 * sizeOneWindowAgo()));
        int wanted = (int) Math.ceil(current * utilization / target - 1e-9);
        wanted = Math.max(managed.minEnvironments(), Math.min(managed.maxEnvironments(), wanted));
        String signal = String.format(Locale.ROOT, "utilization %.0f%% (saturation %.0f%%, CPU %.0f%%), target %d%%",
                utilization * 100, reading.saturation() * 100, reading.cpu() * 100, managed.targetUtilizationPercent());
        if (wanted > current) {
            int next = Math.max(current, Math.min(wanted, cap));
            String limit = next < wanted ? String.format(Locale.ROOT, "; capped at %d: twice the %d of %d s ago", cap,
                    sizeOneWindowAgo(), managed.doublingWindow().toSeconds()) : "";
            return new Decision(next, wanted, cap, signal + ": wants " + wanted + limit);
        }
        if (current > managed.minEnvironments() && utilization < target / 2) {
            return new Decision(current - 1, wanted, cap, signal + ": below half the target, retires one idle environment");
        }
        return new Decision(current, wanted, cap, signal + ": keeps " + current);
    }
}
