package dev.lambdalab.testbed.lambda.process;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One environment's claim on the JVM starts this machine allows at once. In Lambda every environment has CPU
 * of its own; here they share this machine's, and twenty JVMs starting together on two cores each take ten
 * times as long, past the init timeout. Cold starts beyond this many wait for a slot; Init Duration counts
 * from the JVM's start. (Four slots instead of two made `reproduce --isolation process` no faster on two
 * cores: the starts are CPU-bound.)
 */
public final class StartSlot {

    private static final Semaphore SLOTS = new Semaphore(Math.max(2, Runtime.getRuntime().availableProcessors()), true);

    private final AtomicBoolean held = new AtomicBoolean();

    /** Waits for a slot. */
    void acquire() throws InterruptedException {
        SLOTS.acquire();
        held.set(true);
    }

    /** Frees the slot if this environment holds it: once, however often init's endings call it. */
    void release() {
        if (held.compareAndSet(true, false)) {
            SLOTS.release();
        }
    }
}
