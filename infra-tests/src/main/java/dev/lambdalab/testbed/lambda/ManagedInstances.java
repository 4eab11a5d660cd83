package dev.lambdalab.testbed.lambda;

import java.time.Duration;
import java.util.Objects;

/**
 * A function on Lambda Managed Instances (LMI), the second execution model: each execution environment runs up to
 * {@link #perEnvironmentMaxConcurrency()} invocations at once on threads that share one handler, is never frozen,
 * and is started ahead of traffic, not per request. What each field models, with its source:
 *
 * <ul>
 *   <li>{@code perEnvironmentMaxConcurrency}: the function's {@code PerExecutionEnvironmentMaxConcurrency}
 *       ("Java runtime for Lambda Managed Instances": default 32 per vCPU; the API allows 1 to 1,600). Lambda passes
 *       it to the runtime as {@code AWS_LAMBDA_MAX_CONCURRENCY}, and AWS's runtime interface client starts that many
 *       threads ({@code AWSLambda.startRuntimeLoops}, aws-lambda-java-runtime-interface-client 2.8.0 and later).
 *   <li>{@code minEnvironments}, {@code maxEnvironments}: {@code FunctionScalingConfig}'s
 *       {@code MinExecutionEnvironments} and {@code MaxExecutionEnvironments} (0 to 15,000). Publishing a version
 *       "starts three execution environments before marking your function version ACTIVE" ("Scaling Lambda Managed
 *       Instances"), so the minimum is 3 unless set.
 *   <li>{@code targetUtilizationPercent}: the capacity provider's target, SAM's {@code ScalingConfig:
 *       AverageCPUUtilization}. The emulator's scaler compares it with each environment's utilisation, the larger of
 *       its CPU use and its multi-concurrency saturation, the two signals AWS names ({@link ManagedScaler}).
 *   <li>{@code scalingPeriod}: how often the scaler decides. AWS scales "asynchronously" and publishes no period:
 *       our choice, shorter in tests.
 *   <li>{@code doublingWindow}: "If your traffic more than doubles within 5 minutes, you may see throttles": the
 *       scaler never grows the fleet past twice what it was this long ago, so faster growth meets 429s.
 * </ul>
 *
 * @param perEnvironmentMaxConcurrency invocations one environment runs at once
 * @param vcpusPerEnvironment the vCPUs of one environment (memory / ExecutionEnvironmentMemoryGiBPerVCpu), for CPU use
 * @param minEnvironments environments started when the version is published, and never scaled in below
 * @param maxEnvironments environments the scaler never goes beyond
 * @param targetUtilizationPercent utilisation the scaler steers towards
 * @param scalingPeriod how often the scaler decides
 * @param doublingWindow the fleet at most doubles within this window
 */
public record ManagedInstances(int perEnvironmentMaxConcurrency, int vcpusPerEnvironment, int minEnvironments,
        int maxEnvironments, int targetUtilizationPercent, Duration scalingPeriod, Duration doublingWindow) {

    /** PerExecutionEnvironmentMaxConcurrency's default for Java: 32 per vCPU. */
    public static final int JAVA_CONCURRENCY_PER_VCPU = 32;
    /** Environments a published version starts before it is ACTIVE. */
    public static final int DEFAULT_MIN_ENVIRONMENTS = 3;
    /** Our bound when no MaxExecutionEnvironments is set (in AWS the capacity provider's MaxVCpuCount bounds it). */
    public static final int DEFAULT_MAX_ENVIRONMENTS = 100;
    /** Our choice of target when the template sets no AverageCPUUtilization. */
    public static final int DEFAULT_TARGET_PERCENT = 70;
    /** AWS's window within which traffic may double without throttles. */
    public static final Duration DOUBLING_WINDOW = Duration.ofMinutes(5);
    /** Our choice of the scaler's period. */
    public static final Duration DEFAULT_SCALING_PERIOD = Duration.ofSeconds(10);

    public ManagedInstances {
        Objects.requireNonNull(scalingPeriod, "scalingPeriod");
        Objects.requireNonNull(doublingWindow, "doublingWindow");
        within("perEnvironmentMaxConcurrency", perEnvironmentMaxConcurrency, 1, 1600);
        within("vcpusPerEnvironment", vcpusPerEnvironment, 1, 64);
        within("minEnvironments", minEnvironments, 0, 15_000);
        within("maxEnvironments", maxEnvironments, 1, 15_000);
        within("targetUtilizationPercent", targetUtilizationPercent, 1, 100);
        if (minEnvironments > maxEnvironments) {
            throw new IllegalArgumentException("minEnvironments (" + minEnvironments + ") must be at most maxEnvironments ("
                    + maxEnvironments + ")");
        }
        if (scalingPeriod.toMillis() < 10) {
            throw new IllegalArgumentException("scalingPeriod must be at least 10ms, got " + scalingPeriod.toMillis() + "ms");
        }
        if (doublingWindow.compareTo(scalingPeriod) < 0) {
            throw new IllegalArgumentException("doublingWindow (" + doublingWindow.toMillis() + "ms) must be at least"
                    + " scalingPeriod (" + scalingPeriod.toMillis() + "ms)");
        }
    }

    /** AWS's defaults for a Java function of one vCPU: 32 threads, 3 environments at publish. */
    public static ManagedInstances defaults() {
        return new ManagedInstances(JAVA_CONCURRENCY_PER_VCPU, 1, DEFAULT_MIN_ENVIRONMENTS, DEFAULT_MAX_ENVIRONMENTS,
                DEFAULT_TARGET_PERCENT, DEFAULT_SCALING_PERIOD, DOUBLING_WINDOW);
    }

    /** A fleet of exactly {@code environments}: the scaler neither adds nor removes any. */
    public static ManagedInstances fixedFleet(int environments, int perEnvironmentMaxConcurrency) {
        return defaults().withConcurrency(perEnvironmentMaxConcurrency).withEnvironments(environments, environments);
    }

    public ManagedInstances withConcurrency(int concurrency) {
        return new ManagedInstances(concurrency, vcpusPerEnvironment, minEnvironments, maxEnvironments,
                targetUtilizationPercent, scalingPeriod, doublingWindow);
    }

    public ManagedInstances withEnvironments(int min, int max) {
        return new ManagedInstances(perEnvironmentMaxConcurrency, vcpusPerEnvironment, min, max,
                targetUtilizationPercent, scalingPeriod, doublingWindow);
    }

    public ManagedInstances withVcpus(int vcpus) {
        return new ManagedInstances(perEnvironmentMaxConcurrency, vcpus, minEnvironments, maxEnvironments,
                targetUtilizationPercent, scalingPeriod, doublingWindow);
    }

    public ManagedInstances withTargetUtilization(int percent) {
        return new ManagedInstances(perEnvironmentMaxConcurrency, vcpusPerEnvironment, minEnvironments, maxEnvironments,
                percent, scalingPeriod, doublingWindow);
    }

    /** The scaler's period and the doubling window, compressed for a test or a short run. */
    public ManagedInstances withTiming(Duration period, Duration window) {
        return new ManagedInstances(perEnvironmentMaxConcurrency, vcpusPerEnvironment, minEnvironments, maxEnvironments,
                targetUtilizationPercent, period, window);
    }

    /** One line for reports: {@code 3 environments x 32 threads}. */
    public String describe() {
        String fleet = minEnvironments == maxEnvironments ? minEnvironments + " environments"
                : minEnvironments + " to " + maxEnvironments + " environments";
        return fleet + " x " + perEnvironmentMaxConcurrency + " threads (PerExecutionEnvironmentMaxConcurrency)";
    }

    private static void within(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be from " + min + " to " + max + ", got " + value);
        }
    }
}
