package dev.lambdalab.testbed.lambda.sandbox;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Everything the handlers of one function wrote to their LambdaLogger, line by line, each prefixed like
 * Lambda's own log lines with the request id, and kept per environment id. Bounded: the oldest lines go
 * first. A sink can echo lines as they come (the CLI's --verbose).
 */
public final class FunctionLog {

    /** One line and where it came from. */
    public record Line(long epochMillis, String environmentId, String requestId, String text) {
    }

    private final int capacity;
    private final ArrayDeque<Line> lines = new ArrayDeque<>();
    private volatile Consumer<Line> sink = line -> { };

    /** A log keeping at most {@code capacity} lines. */
    public FunctionLog(int capacity) {
        this.capacity = capacity;
    }

    public void append(String environmentId, String requestId, String text) {
        String trimmed = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        Line line = new Line(System.currentTimeMillis(), environmentId, requestId, trimmed);
        synchronized (lines) {
            if (lines.size() == capacity) {
                lines.removeFirst();
            }
            lines.addLast(line);
        }
        sink.accept(line);
    }

    /** Echo every new line to the given consumer as well. */
    public void setSink(Consumer<Line> sink) {
        this.sink = sink == null ? line -> { } : sink;
    }

    /**
     * The innermost cause an environment's log names ({@code Caused by: X: message}, as a runtime prints an init
     * error's stack trace), or empty. In process isolation the runtime client reports an exception thrown during
     * class initialisation as {@code java.lang.ExceptionInInitializerError}, as Lambda does: the reason is in the log.
     */
    public Optional<String> deepestCause(String environmentId) {
        String found = null;
        synchronized (lines) {
            for (Line line : lines) {
                int at = line.text().indexOf("Caused by: ");
                if (line.environmentId().equals(environmentId) && at >= 0) {
                    found = line.text().substring(at + "Caused by: ".length()).strip();
                }
            }
        }
        return Optional.ofNullable(found);
    }

    /** The lines of one request that are still kept, oldest first. */
    public List<String> linesOf(String requestId) {
        List<String> found = new ArrayList<>();
        synchronized (lines) {
            for (Line line : lines) {
                if (line.requestId().equals(requestId)) {
                    found.add(line.text());
                }
            }
        }
        return found;
    }

    /** The lines kept, oldest first. */
    public List<Line> lines() {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }
}
