package dev.lambdalab.testbed.faults;

import dev.lambdalab.testbed.TestBed;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Injects one {@link Fault} into the fixed function's path on a {@link TestBed} and measures what the
 * callers saw, how long recovery took, and whether any environment was left broken. Every fault runs
 * real components: the fixed handler in the emulator, PostgreSQL, the proxy, the AWS SDK against a
 * local Secrets Manager endpoint. Each fault's {@link FaultExperiment} does the work; the runner decides
 * whether it can run here and starts it from clean connections.
 *
 * <p>Timings are wall-clock on a shared machine: the checks leave generous room (seconds, not
 * milliseconds) and the report gives the measured values.
 */
public final class FaultRunner {

    /** Errors must end within this long after a restarted component is back. */
    public static final long RECOVERY_LIMIT_MILLIS = RestartUnderLoad.RECOVERY_LIMIT_MILLIS;
    /** The fixed function's pool timeout (the catalogue's default): a 503 comes within it. */
    public static final long POOL_TIMEOUT_MILLIS = FaultProbe.POOL_TIMEOUT_MILLIS;
    /** The function timeout in template.yaml, which the fixed function runs with. */
    public static final long FUNCTION_TIMEOUT_MILLIS = 15_000;

    private final TestBed testBed;
    private final List<String> secretsUsed = new CopyOnWriteArrayList<>();
    private Consumer<String> progress = line -> { };

    public FaultRunner(TestBed testBed) {
        this.testBed = Objects.requireNonNull(testBed, "testBed");
    }

    /** Where to report what is happening (the CLI prints it). */
    public FaultRunner withProgress(Consumer<String> progress) {
        this.progress = Objects.requireNonNull(progress, "progress");
        return this;
    }

    /**
     * Every password and key the runner made up (rotated passwords, the local Secrets Manager's secret
     * key) besides the lab's own, so a test can search all output for them.
     */
    public List<String> secretsUsed() {
        return List.copyOf(secretsUsed);
    }

    /** Why the fault cannot run on this test bed, or empty when it can. */
    public Optional<String> skipReason(Fault fault) {
        if (fault.needs().proxy() && !testBed.proxyAvailable()) {
            return Optional.of(testBed.proxyUnavailableReason());
        }
        if (fault.needs().restartableServer() && !testBed.server().restartable()) {
            return Optional.of(testBed.description() + " cannot be restarted by the test bed");
        }
        return fault.experiment().unsupported(testBed);
    }

    /** Runs the fault, or skips it when the test bed lacks what it needs. */
    public FaultResult run(Fault fault) throws InterruptedException {
        Optional<String> skip = skipReason(fault);
        if (skip.isPresent()) {
            return FaultResult.skipped(fault, skip.get());
        }
        progress.accept(fault.label() + ": " + fault.description());
        FaultProbe probe = new FaultProbe(testBed, progress);
        testBed.resetConnections();
        try {
            return fault.experiment().run(fault, probe);
        } finally {
            secretsUsed.addAll(probe.secretsUsed());
            testBed.resetConnections();
        }
    }
}
