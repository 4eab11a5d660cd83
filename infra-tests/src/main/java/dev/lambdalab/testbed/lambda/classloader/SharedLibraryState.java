package dev.lambdalab.testbed.lambda.classloader;

/**
 * JVM-wide state of the libraries the environments share (only the function's own classes are loaded
 * per environment; see {@link SandboxClassLoader}), set up so that no environment owns it.
 *
 * <p>pgjdbc runs the cancel request of every statement's query timeout on one timer thread per JVM,
 * created by whichever thread first sets a query timeout. Created inside an environment, that thread
 * would belong to the environment's thread group, and once the environment is gone
 * {@link SandboxSocketFactory} would refuse the cancel connections it opens: query timeouts would stop
 * working for every later environment. Holding one reference to the timer from a thread of the emulator's
 * own keeps the thread outside every environment and alive for the JVM's life. (In Lambda each
 * environment is a process with its own timer.)
 */
public final class SharedLibraryState {

    private static boolean prepared;

    private SharedLibraryState() {
    }

    /** Idempotent; called before the first environment of any function starts. */
    public static synchronized void prepare() {
        if (prepared) {
            return;
        }
        Thread pin = new Thread(() -> org.postgresql.Driver.getSharedTimer().getTimer(), "testbed-pin-pgjdbc-timer");
        pin.setDaemon(true);
        pin.start();
        try {
            pin.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing pgjdbc's shared timer", e);
        }
        prepared = true;
    }
}
