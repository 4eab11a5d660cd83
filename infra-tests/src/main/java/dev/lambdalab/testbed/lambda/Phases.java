package dev.lambdalab.testbed.lambda;

import dev.lambdalab.testbed.lambda.Invocation.Outcome;
import dev.lambdalab.testbed.lambda.Invocation.Served;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The two phases of an execution environment's life that an invocation waits for, with Lambda's timeouts and
 * its words for what went wrong ("Lambda execution environment lifecycle"): the Init phase (or, with
 * SnapStart, the Restore phase) of a cold start, and the Invoke phase. Each ends in an {@link Invocation} the
 * caller sees when it fails, and in the function's metrics and log either way.
 */
final class Phases {

    private final FunctionConfig config;
    private final Map<String, String> variables;
    private final FunctionMetrics.Recorder metrics;
    private final FunctionLog log;

    Phases(FunctionConfig config, FunctionMetrics.Recorder metrics, FunctionLog log) {
        this.config = config;
        this.variables = config.lambdaVariables();
        this.metrics = metrics;
        this.log = log;
    }

    /** How init went: its duration, or the invocation that reports its failure. */
    record Init(Duration duration, Invocation failed) {
    }

    /**
     * Runs init. Its duration counts from the moment init began: for a process environment that is when its
     * JVM was started, after any wait for a start slot (see {@link ProcessSandbox}), so Init Duration and the
     * init timeout count what Lambda counts.
     */
    Init init(Sandbox sandbox, String requestId) {
        Map<String, String> environment = new LinkedHashMap<>(variables);
        if (config.snapStart() == SnapStart.OFF) {
            environment.put("AWS_LAMBDA_LOG_STREAM_NAME", sandbox.logStreamName());
        }
        Handoff<Void> init = sandbox.init(config.handlerClass(), environment);
        long start = System.nanoTime();
        Duration initTimeout = config.initTimeout();
        try {
            init.await(initTimeout.toNanos());
            Duration duration = Duration.ofNanos(System.nanoTime() - start);
            if (config.snapStart() != SnapStart.OFF) {
                // A SnapStart cold start has no Init Duration but a Restore Duration: restore, runtime, afterRestore hooks.
                log.append(sandbox.id(), requestId, String.format(Locale.ROOT, "RESTORE Restore Duration: %.2f ms (%s)",
                        duration.toNanos() / 1e6, config.snapStart() == SnapStart.SNAPSHOT
                                ? "restored from the snapshot" : "hooks only: init ran, nothing was restored"));
            }
            metrics.coldStart(duration);
            return new Init(duration, null);
        } catch (TimeoutException e) {
            sandbox.discard("init timed out");
            metrics.initError("Sandbox.Timedout");
            return new Init(initTimeout, Invocation.failed(requestId, Outcome.INIT_ERROR,
                    new Served(sandbox.id(), true, initTimeout), "Sandbox.Timedout",
                    String.format(Locale.ROOT, "Init timed out after %.2f seconds", initTimeout.toMillis() / 1000.0),
                    Duration.ZERO));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            sandbox.discard("init failed");
            String type = errorType(cause);
            metrics.initError(type);
            log.append(sandbox.id(), requestId, "INIT_REPORT Status: error Error Type: Runtime.InitError "
                    + type + ": " + cause.getMessage());
            return new Init(Duration.ZERO, Invocation.failed(requestId, Outcome.INIT_ERROR,
                    new Served(sandbox.id(), true, Duration.ZERO), type, cause.getMessage(), Duration.ZERO));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sandbox.discard("init interrupted");
            return new Init(Duration.ZERO, Invocation.failed(requestId, Outcome.INIT_ERROR,
                    new Served(sandbox.id(), true, Duration.ZERO), "Interrupted", "the caller was interrupted",
                    Duration.ZERO));
        }
    }

    /** Runs the handler on the event, within the function timeout. */
    Invocation invoke(Sandbox sandbox, Object event, String requestId, Served served) {
        Duration timeout = config.timeout();
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        EmulatedContext context = new EmulatedContext(requestId, config.name(), config.memoryMb(), deadline,
                sandbox.id(), sandbox.logStreamName(), log);
        try {
            Object response = sandbox.invoke(event, context).await(timeout.toNanos());
            Duration duration = Duration.ofNanos(System.nanoTime() - start);
            metrics.succeeded(duration);
            return Invocation.success(requestId, served, response, duration);
        } catch (TimeoutException e) {
            // As Lambda: the caller gets the timeout now; the environment is not reused. Nothing in it is
            // closed, so a connection it holds stays open until the server or the proxy drops it.
            sandbox.discard("timed out");
            metrics.timedOut();
            String message = String.format(Locale.ROOT, "Task timed out after %.2f seconds", timeout.toMillis() / 1000.0);
            log.append(sandbox.id(), requestId, message);
            return Invocation.failed(requestId, Outcome.TIMED_OUT, served, "Sandbox.Timedout", message, timeout);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            Duration duration = Duration.ofNanos(System.nanoTime() - start);
            String type = errorType(cause);
            metrics.functionError(type, duration);
            return Invocation.failed(requestId, Outcome.FUNCTION_ERROR, served, type, cause.getMessage(), duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sandbox.discard("caller interrupted");
            return Invocation.failed(requestId, Outcome.FUNCTION_ERROR, served, "Interrupted",
                    "the caller was interrupted", Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** The error type Lambda reports: the exception's class, or the one the runtime client reported. */
    private static String errorType(Throwable cause) {
        return cause instanceof RuntimeReportedError reported ? reported.errorType() : cause.getClass().getName();
    }
}
