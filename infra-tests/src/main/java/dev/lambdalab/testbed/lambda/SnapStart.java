package dev.lambdalab.testbed.lambda;

import dev.lambdalab.testbed.label.Labelled;
import dev.lambdalab.testbed.lambda.process.ProcessRuntime;
import dev.lambdalab.testbed.lambda.snapstart.Criu;
import dev.lambdalab.testbed.lambda.snapstart.Snapshot;
import java.util.Optional;

/**
 * Whether the emulator runs a function with SnapStart (template.yaml's {@code SnapStart: ApplyOn:
 * PublishedVersions}), and how. Process isolation only: the hooks are the runtime client's to run.
 */
public enum SnapStart implements Labelled {

    /** Every cold start runs init (Lambda's on-demand initialisation). */
    OFF,

    /**
     * Init runs once, then the environment is snapshotted with CRIU ({@link Snapshot}) and every cold start
     * restores a copy: the pitfalls of shared state are real. Needs Linux, root and CRIU 4.1.
     */
    SNAPSHOT,

    /**
     * The fallback where CRIU cannot run: every cold start runs init in snap-start mode and the runtime
     * client's restore is answered at once, so the hooks run in Lambda's order, but nothing is copied. The
     * pitfalls of shared state do not show; reports label it.
     */
    HOOKS_ONLY;

    /** The variable that makes a missing CRIU a failure instead of the hooks-only fallback (CI sets it). */
    public static final String REQUIRE_VARIABLE = "TESTBED_REQUIRE_SNAPSTART";

    /** {@code off}, {@code snapshot}, {@code hooks-only}. */
    @Override
    public String label() {
        return Labelled.of(this);
    }

    /** Why snapshots cannot be taken on this machine, or empty when they can. */
    public static Optional<String> snapshotUnavailableReason() {
        Optional<String> process = ProcessRuntime.unavailableReason();
        return process.isPresent() ? process : Criu.unavailableReason();
    }

    /** Whether {@value #REQUIRE_VARIABLE} demands real snapshots. */
    public static boolean required() {
        String value = System.getenv(REQUIRE_VARIABLE);
        return value != null && (value.equals("1") || value.equalsIgnoreCase("true"));
    }

    /**
     * SNAPSHOT where this machine can take snapshots; else HOOKS_ONLY, or a failure when
     * {@value #REQUIRE_VARIABLE} demands snapshots.
     *
     * @throws IllegalStateException naming the reason, when snapshots are required and unavailable
     */
    public static SnapStart bestAvailable() {
        Optional<String> reason = snapshotUnavailableReason();
        if (reason.isEmpty()) {
            return SNAPSHOT;
        }
        if (required()) {
            throw new IllegalStateException(reason.get() + "; " + REQUIRE_VARIABLE + " demands real snapshots");
        }
        return HOOKS_ONLY;
    }
}
