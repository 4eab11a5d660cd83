package dev.lambdalab.testbed.app;

import dev.lambdalab.testbed.lambda.Invocation;
import dev.lambdalab.testbed.lambda.sandbox.LambdaErrorType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Lambda's own log lines around an invocation, as CloudWatch and {@code sam local invoke} show them ("Lambda function
 * logs": START, END, REPORT): {@code REPORT RequestId: id	Duration: 12.34 ms	Billed Duration: 13 ms	Memory Size:
 * 1024 MB	Max Memory Used: 180 MB	Init Duration: 1234.56 ms}, Init Duration on a cold start only.
 */
final class ReportLines {

    private ReportLines() {
    }

    static String start(Invocation invocation) {
        return "START RequestId: " + invocation.requestId() + " Version: $LATEST";
    }

    static String end(Invocation invocation) {
        return "END RequestId: " + invocation.requestId();
    }

    /**
     * @param memoryMb the function's MemorySize
     * @param maxMemoryMb the environment's peak resident memory, when known
     */
    static String report(Invocation invocation, int memoryMb, OptionalLong maxMemoryMb) {
        double millis = invocation.duration().toNanos() / 1e6;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %s",
                invocation.requestId(), millis, (long) Math.ceil(millis), memoryMb,
                maxMemoryMb.isPresent() ? maxMemoryMb.getAsLong() + " MB" : "- MB"));
        if (invocation.coldStart()) {
            line.append(String.format(Locale.ROOT, "\tInit Duration: %.2f ms", invocation.initDuration().toNanos() / 1e6));
        }
        if (invocation.outcome() == Invocation.Outcome.TIMED_OUT) {
            line.append("\tStatus: timeout");
        } else if (invocation.outcome() == Invocation.Outcome.INIT_ERROR) {
            line.append("\tStatus: error\tError Type: ").append(LambdaErrorType.RUNTIME_INIT_ERROR.text());
        }
        return line.toString();
    }

    /** The process's peak resident memory ({@code VmHWM} of /proc/PID/status), in MB. */
    static OptionalLong peakMemoryMb(long pid) {
        if (pid <= 0) {
            return OptionalLong.empty();
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("\\D", "")) / 1024);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }
}
