package dev.lambdalab.testbed.lambda;

/**
 * The emulator's clock for idle time: {@link System#nanoTime()} by default, a hand-moved one in tests, so a
 * test of idle reclaim moves time instead of sleeping through it.
 */
@FunctionalInterface
public interface NanoClock {

    NanoClock SYSTEM = System::nanoTime;

    long nanoTime();
}
