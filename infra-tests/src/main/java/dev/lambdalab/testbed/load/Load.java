package dev.lambdalab.testbed.load;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The shape of a run: one or more phases run one after the other, each a closed loop of {@code concurrency}
 * callers that send the next request as soon as the last one answered, until the phase's requests are
 * sent or its duration is over. A phase of concurrency 0 is an idle pause.
 *
 * <p>A caller that gets a 429 waits {@code throttleBackoff} before its next request, as a well-behaved
 * client does; without it the callers would spend the run's requests on instant throttles.
 *
 * @param phases the phases, in order
 * @param holdMillis how long each request holds its database connection ({@code ?holdMs=})
 * @param throttleBackoff pause after a throttled request
 */
public record Load(List<Phase> phases, int holdMillis, Duration throttleBackoff) {

    /** The default pause after a 429. */
    public static final Duration DEFAULT_THROTTLE_BACKOFF = Duration.ofMillis(100);

    /**
     * One phase.
     *
     * @param concurrency callers, 0 for an idle pause
     * @param requests requests to send, or 0 to run for {@code duration}
     * @param duration how long to run when {@code requests} is 0
     */
    public record Phase(int concurrency, int requests, Duration duration) {
        public Phase {
            Objects.requireNonNull(duration, "duration");
            if (concurrency < 0 || concurrency > 10_000) {
                throw new IllegalArgumentException("concurrency must be from 0 to 10000, got " + concurrency);
            }
            if (requests < 0) {
                throw new IllegalArgumentException("requests must be at least 0, got " + requests);
            }
            if (requests == 0 && duration.isZero()) {
                throw new IllegalArgumentException("a phase needs requests or a duration");
            }
            if (concurrency == 0 && requests > 0) {
                throw new IllegalArgumentException("an idle phase (concurrency 0) has a duration, not requests");
            }
        }
    }

    public Load {
        phases = List.copyOf(phases);
        Objects.requireNonNull(throttleBackoff, "throttleBackoff");
        if (phases.isEmpty()) {
            throw new IllegalArgumentException("a load needs at least one phase");
        }
        if (holdMillis < 0 || holdMillis > 5000) {
            throw new IllegalArgumentException("holdMs must be from 0 to 5000, got " + holdMillis);
        }
    }

    /** C callers sending N requests in all. */
    public static Load closedLoop(int concurrency, int requests, int holdMillis) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
        }
        if (requests < 1) {
            throw new IllegalArgumentException("requests must be at least 1, got " + requests);
        }
        return new Load(List.of(new Phase(concurrency, requests, Duration.ZERO)), holdMillis, DEFAULT_THROTTLE_BACKOFF);
    }

    /** C callers for a duration. */
    public static Load forDuration(int concurrency, Duration duration, int holdMillis) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
        }
        return new Load(List.of(new Phase(concurrency, 0, duration)), holdMillis, DEFAULT_THROTTLE_BACKOFF);
    }

    /**
     * Quiet, a spike, quiet again: the "errors at traffic spikes that then go away" shape. The quiet
     * phases run {@code baseConcurrency} callers (0 for none).
     */
    public static Load burst(int baseConcurrency, Duration quietBefore, int spikeConcurrency, Duration spike,
            Duration quietAfter, int holdMillis) {
        return new Load(List.of(new Phase(baseConcurrency, 0, quietBefore), new Phase(spikeConcurrency, 0, spike),
                new Phase(baseConcurrency, 0, quietAfter)), holdMillis, DEFAULT_THROTTLE_BACKOFF);
    }

    /** The same load with another pause after a 429. */
    public Load withThrottleBackoff(Duration backoff) {
        return new Load(phases, holdMillis, backoff);
    }

    /** The largest concurrency of any phase. */
    public int peakConcurrency() {
        return phases.stream().mapToInt(Phase::concurrency).max().orElse(0);
    }

    /** How long the phases that run by duration last together. */
    public Duration totalDuration() {
        return phases.stream().map(Phase::duration).reduce(Duration.ZERO, Duration::plus);
    }

    /** Requests of the phases that count them (0 when every phase runs by duration). */
    public int requests() {
        return phases.stream().mapToInt(Phase::requests).sum();
    }
}
