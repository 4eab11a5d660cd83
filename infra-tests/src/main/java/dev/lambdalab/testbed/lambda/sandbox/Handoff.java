package dev.lambdalab.testbed.lambda.sandbox;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The result of one task on an environment's runtime thread, waited for by the caller. The caller spins
 * for a few microseconds before it parks: a warm invocation of a fast handler then costs no thread
 * wake-up (which dominates on a VM, tens of microseconds), and a slow one costs only the short spin.
 */
public final class Handoff<T> {

    /** How long a waiter spins before parking. */
    public static final long SPIN_NANOS = 25_000;

    private volatile boolean done;
    private volatile T value;
    private volatile Throwable error;
    private volatile Thread waiter;
    // Guarded by this: the action to run when the task ends, and whether it has (set before the waiter is woken).
    private Runnable whenDone;
    private boolean finished;

    public void complete(T result) {
        value = result;
        finish();
    }

    public void fail(Throwable failure) {
        error = failure;
        finish();
    }

    /** Runs the registered action, then wakes the waiter: what the action frees is free when the caller returns. */
    private void finish() {
        Runnable action;
        synchronized (this) {
            finished = true;
            action = whenDone;
            whenDone = null;
        }
        if (action != null) {
            action.run();
        }
        done = true;
        wake();
    }

    /**
     * Runs {@code action} once the task ends, however it ends, at once if it already has; before the waiter returns
     * when it was registered before the end. On Managed Instances an invocation holds its worker until its handler
     * returns, even after its caller got a timeout, and a caller that sends its next request at once must find the
     * worker free.
     */
    public void whenDone(Runnable action) {
        boolean now;
        synchronized (this) {
            now = finished;
            if (!now) {
                whenDone = action;
            }
        }
        if (now) {
            action.run();
        }
    }

    private void wake() {
        Thread thread = waiter;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Waits for the result.
     *
     * @throws TimeoutException when it did not come within {@code timeoutNanos}
     * @throws ExecutionException wrapping what the task threw
     */
    public T await(long timeoutNanos) throws TimeoutException, ExecutionException, InterruptedException {
        long start = System.nanoTime();
        while (!done && System.nanoTime() - start < SPIN_NANOS) {
            Thread.onSpinWait();
        }
        if (!done) {
            waiter = Thread.currentThread();
            while (!done) { // done is read again after waiter is published, so a completion is never missed
                long remaining = timeoutNanos - (System.nanoTime() - start);
                if (remaining <= 0) {
                    throw new TimeoutException();
                }
                LockSupport.parkNanos(this, remaining);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
        }
        if (error != null) {
            throw new ExecutionException(error);
        }
        return value;
    }
}
