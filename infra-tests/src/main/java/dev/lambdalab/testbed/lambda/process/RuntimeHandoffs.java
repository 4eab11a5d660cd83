package dev.lambdalab.testbed.lambda.process;

import dev.lambdalab.testbed.lambda.sandbox.Handoff;
import dev.lambdalab.testbed.lambda.sandbox.LambdaErrorType;
import dev.lambdalab.testbed.lambda.sandbox.RuntimeReportedError;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the emulator waits for from the runtime client inside a process environment: the end of init (for a
 * restored copy, of the restore), and the answers to the invocations in flight, by request id (one at a time on
 * classic Lambda, several on Managed Instances). The Runtime API's events end them ({@code /next} after init,
 * {@code /response}, {@code /error}); the process's exit fails whatever is open. Init also holds one of the
 * machine's {@link StartSlot}s, freed however init ends.
 */
public final class RuntimeHandoffs {

    private final StartSlot startSlot = new StartSlot();
    private Handoff<Void> init;
    private final Map<String, Handoff<Object>> invocations = new LinkedHashMap<>();

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
        invocations.put(awsRequestId, done);
    }

    /** The runtime client answered this invocation: with a response, or a failure when not null. */
    void endInvocation(String awsRequestId, Object response, Throwable failure) {
        Handoff<Object> done;
        synchronized (this) {
            done = invocations.remove(awsRequestId);
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

    /**
     * The request id of the invocation in flight, for the log's lines: {@code -} between invocations, and when
     * several run at once (a line of the process's output cannot tell which thread wrote it).
     */
    synchronized String requestId() {
        return invocations.size() == 1 ? invocations.keySet().iterator().next() : "-";
    }

    /**
     * The process exited with this status: init fails, and so does the invocation in flight unless the emulator
     * ended the environment itself ({@code endedByEmulator}), whose caller already has its answer.
     */
    void exited(int status, boolean endedByEmulator) {
        Map<String, Handoff<Object>> running;
        synchronized (this) {
            running = new LinkedHashMap<>(invocations);
            invocations.clear();
        }
        endInit(error("-", status));
        running.forEach((id, handoff) -> {
            if (endedByEmulator) {
                // the caller already has its answer; on Managed Instances this still frees the worker's slot
                handoff.fail(new RuntimeReportedError(LambdaErrorType.RUNTIME_EXIT_ERROR, "the environment was ended"));
            } else {
                handoff.fail(error(id, status));
            }
        });
    }

    private static RuntimeReportedError error(String requestId, int status) {
        return new RuntimeReportedError(LambdaErrorType.RUNTIME_EXIT_ERROR.text(),
                "RequestId: " + requestId + " Error: Runtime exited with error: exit status " + status);
    }
}
