package dev.lambdalab.testbed.lambda;

import dev.lambdalab.testbed.lambda.Invocation.Outcome;
import dev.lambdalab.testbed.lambda.Invocation.Served;
import dev.lambdalab.testbed.lambda.process.ProcessSandbox;
import dev.lambdalab.testbed.lambda.sandbox.EmulatedContext;
import dev.lambdalab.testbed.lambda.sandbox.FunctionLog;
import dev.lambdalab.testbed.lambda.sandbox.Handoff;
import dev.lambdalab.testbed.lambda.sandbox.LambdaErrorType;
import dev.lambdalab.testbed.lambda.sandbox.RuntimeReportedError;
import dev.lambdalab.testbed.lambda.sandbox.Sandbox;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
        Duration initTimeout = initTimeout();
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
            String message = String.format(Locale.ROOT, "Init timed out after %.2f seconds",
                    initTimeout.toMillis() / 1000.0);
            metrics.initError(LambdaErrorType.SANDBOX_TIMEDOUT.text(), message);
            return new Init(initTimeout, Invocation.failed(requestId, Outcome.INIT_ERROR,
                    new Served(sandbox.id(), true, initTimeout), LambdaErrorType.SANDBOX_TIMEDOUT.text(), message,
                    Duration.ZERO));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            sandbox.discard("init failed");
            String type = errorType(cause);
            // The reason, where the runtime's report only names the wrapper: the log's innermost "Caused by".
            String reason = cause.getMessage() + deepestCause(sandbox, type.equals(cause.getMessage()))
                    .map(deepest -> " (caused by: " + deepest + ")").orElse("");
            metrics.initError(type, reason);
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

    /**
     * How long init may take: the function's init timeout on classic Lambda (10 s); on Managed Instances "the
     * maximum of 130 seconds or the configured function timeout" ("Understanding the Lambda Managed Instances
     * execution environment").
     */
    Duration initTimeout() {
        if (config.managedInstances().isEmpty()) {
            return config.initTimeout();
        }
        Duration floor = Duration.ofSeconds(130);
        return config.timeout().compareTo(floor) > 0 ? config.timeout() : floor;
    }

    /** Runs the handler on the event, within the function timeout; classic Lambda: a timeout ends the environment. */
    Invocation invoke(Sandbox sandbox, Object event, String requestId, Served served) {
        return invoke(sandbox, event, requestId, served, null);
    }

    /**
     * Runs the handler on the event, within the function timeout.
     *
     * @param handlerEnded on Managed Instances: called when the handler returns or throws, which frees its worker.
     *     There a timeout fails the invocation for its caller and nothing else: "Lambda Managed Instances does not
     *     enforce the timeout, and your code continues to run", and the environment keeps serving. {@code null} on
     *     classic Lambda, where a timeout ends the environment.
     */
    Invocation invoke(Sandbox sandbox, Object event, String requestId, Served served, Runnable handlerEnded) {
        Duration timeout = config.timeout();
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        EmulatedContext context = new EmulatedContext(requestId, config.name(), config.memoryMb(), deadline,
                sandbox.id(), sandbox.logStreamName(), log);
        try {
            Handoff<Object> running = sandbox.invoke(event, context);
            if (handlerEnded != null) {
                running.whenDone(handlerEnded);
            }
            Object response = running.await(timeout.toNanos());
            Duration duration = Duration.ofNanos(System.nanoTime() - start);
            metrics.succeeded(duration);
            return Invocation.success(requestId, served, response, duration);
        } catch (TimeoutException e) {
            // Classic Lambda: the caller gets the timeout now; the environment is not reused. Nothing in it is
            // closed, so a connection it holds stays open until the server or the proxy drops it.
            if (handlerEnded == null) {
                sandbox.discard("timed out");
            }
            metrics.timedOut();
            String message = String.format(Locale.ROOT, "Task timed out after %.2f seconds", timeout.toMillis() / 1000.0);
            log.append(sandbox.id(), requestId, message);
            return Invocation.failed(requestId, Outcome.TIMED_OUT, served, LambdaErrorType.SANDBOX_TIMEDOUT.text(), message,
                    timeout);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            Duration duration = Duration.ofNanos(System.nanoTime() - start);
            String type = errorType(cause);
            metrics.functionError(type, duration);
            return Invocation.failed(requestId, Outcome.FUNCTION_ERROR, served, type, cause.getMessage(), duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (handlerEnded == null) {
                sandbox.discard("caller interrupted");
            }
            return Invocation.failed(requestId, Outcome.FUNCTION_ERROR, served, "Interrupted",
                    "the caller was interrupted", Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /**
     * The log's innermost cause for the environment. When the report names nothing but its type, the runtime printed
     * the stack trace just before reporting it; its lines travel through a pipe, so they may take a moment.
     */
    private Optional<String> deepestCause(Sandbox sandbox, boolean reportSaysNothing) {
        Optional<String> found = log.deepestCause(sandbox.id());
        for (int attempt = 0; found.isEmpty() && reportSaysNothing && attempt < 10; attempt++) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            found = log.deepestCause(sandbox.id());
        }
        return found;
    }

    /** The error type Lambda reports: the exception's class, or the one the runtime client reported. */
    private static String errorType(Throwable cause) {
        return cause instanceof RuntimeReportedError reported ? reported.errorType() : cause.getClass().getName();
    }
}
