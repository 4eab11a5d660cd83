package dev.lambdalab.testbed.lambda;

/**
 * What the emulator waits for from the runtime client inside a process environment: the end of init (for a
 * restored copy, of the restore), and the answer to the invocation in flight. The Runtime API's events end them
 * ({@code /next} after init, {@code /response}, {@code /error}); the process's exit fails whatever is open. Init
 * also holds one of the machine's {@link StartSlot}s, freed however init ends.
 */
final class RuntimeHandoffs {

    private final StartSlot startSlot = new StartSlot();
    private Handoff<Void> init;
    private Handoff<Object> invocation;
    private volatile String requestId = "-";

    StartSlot startSlot() {
        return startSlot;
    }

    /** Init begins: the caller awaits the returned handoff. */
    synchronized Handoff<Void> beginInit() {
        init = new Handoff<>();
        return init;
    }

    /** Ends init, if it is still open: frees the start slot and hands the outcome ({@code null}: success) over. */
    void endInit(Throwable failure) {
        Handoff<Void> open;
        synchronized (this) {
            open = init;
            init = null;
        }
        startSlot.release();
        if (open == null) {
            return;
        }
        if (failure == null) {
            open.complete(null);
        } else {
            open.fail(failure);
        }
    }

    /** An invocation is dispatched to the runtime client. */
    synchronized void beginInvocation(Handoff<Object> done, String awsRequestId) {
        invocation = done;
        requestId = awsRequestId;
    }

    /** The runtime client answered the invocation in flight: with a response, or a failure when not null. */
    void endInvocation(Object response, Throwable failure) {
        Handoff<Object> done;
        synchronized (this) {
            done = invocation;
            invocation = null;
            requestId = "-";
        }
        if (done == null) {
            return;
        }
        if (failure == null) {
            done.complete(response);
        } else {
            done.fail(failure);
        }
    }

    /** The request id of the invocation in flight, {@code -} between invocations: for the log's lines. */
    String requestId() {
        return requestId;
    }

    /**
     * The process exited with this status: init fails, and so does the invocation in flight unless the emulator
     * ended the environment itself ({@code endedByEmulator}), whose caller already has its answer.
     */
    void exited(int status, boolean endedByEmulator) {
        RuntimeReportedError exited = new RuntimeReportedError("Runtime.ExitError",
                "RequestId: " + requestId + " Error: Runtime exited with error: exit status " + status);
        Handoff<Object> running;
        synchronized (this) {
            running = invocation;
            invocation = null;
        }
        endInit(exited);
        if (running != null && !endedByEmulator) {
            running.fail(exited);
        }
    }
}
