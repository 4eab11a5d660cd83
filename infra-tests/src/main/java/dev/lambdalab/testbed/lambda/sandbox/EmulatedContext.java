package dev.lambdalab.testbed.lambda.sandbox;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import java.nio.charset.StandardCharsets;

/**
 * The Context a handler gets: request id, function name and version, memory size, remaining time
 * against the invocation's deadline, and a logger whose lines land in the function's {@link FunctionLog}
 * under this environment's id.
 */
public final class EmulatedContext implements Context {

    private final String requestId;
    private final String functionName;
    private final int memoryMb;
    private final long deadlineNanos;
    private final String environmentId;
    private final String logStreamName;
    private final LambdaLogger logger;

    public EmulatedContext(String requestId, String functionName, int memoryMb, long deadlineNanos, String environmentId,
            String logStreamName, FunctionLog log) {
        this.requestId = requestId;
        this.functionName = functionName;
        this.memoryMb = memoryMb;
        this.deadlineNanos = deadlineNanos;
        this.environmentId = environmentId;
        this.logStreamName = logStreamName;
        this.logger = new LambdaLogger() {
            @Override
            public void log(String message) {
                log.append(environmentId, requestId, message);
            }

            @Override
            public void log(byte[] message) {
                log(new String(message, StandardCharsets.UTF_8));
            }

            @Override
            public void log(String message, LogLevel level) {
                log(level + " " + message);
            }
        };
    }

    /**
     * A context for calling a handler directly, outside an emulated function: its log lines go to the
     * given log under environment id {@code direct}.
     */
    public static EmulatedContext direct(String functionName, int timeoutMillis, FunctionLog log) {
        String requestId = java.util.UUID.randomUUID().toString();
        return new EmulatedContext(requestId, functionName, 512,
                System.nanoTime() + timeoutMillis * 1_000_000L, "direct", "direct", log);
    }

    /** The environment that runs this invocation (not part of Lambda's Context). */
    public String environmentId() {
        return environmentId;
    }

    @Override
    public String getAwsRequestId() {
        return requestId;
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/" + functionName;
    }

    @Override
    public String getLogStreamName() {
        return logStreamName;
    }

    @Override
    public String getFunctionName() {
        return functionName;
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return "arn:aws:lambda:us-east-1:000000000000:function:" + functionName;
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null; // only set for calls through the AWS Mobile SDK, as in Lambda
    }

    @Override
    public ClientContext getClientContext() {
        return null; // only set for calls through the AWS Mobile SDK, as in Lambda
    }

    @Override
    public int getRemainingTimeInMillis() {
        long remaining = (deadlineNanos - System.nanoTime()) / 1_000_000L;
        return (int) Math.max(0, remaining);
    }

    @Override
    public int getMemoryLimitInMB() {
        return memoryMb;
    }

    @Override
    public LambdaLogger getLogger() {
        return logger;
    }
}
