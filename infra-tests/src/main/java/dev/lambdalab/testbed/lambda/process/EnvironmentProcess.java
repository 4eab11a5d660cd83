package dev.lambdalab.testbed.lambda.process;

import dev.lambdalab.testbed.watchdog.Watchdog;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The operating-system side of a process environment: the process (the JVM, or for a restored copy the
 * {@code unshare} above it), watched so that it never outlives the test bed, its stdout and stderr read line by
 * line into the function's log (as Lambda sends them to CloudWatch Logs), and its exit reported. It is killed
 * with SIGKILL: no shutdown hook runs, as when Lambda ends an environment.
 */
public final class EnvironmentProcess {

    private final Process process;

    private EnvironmentProcess(Process process) {
        this.process = process;
    }

    /**
     * Watches a started process.
     *
     * @param threadPrefix the name of its reader and exit threads ({@code env-1a2b3c})
     * @param lines receives each line of stdout and stderr
     * @param exited receives the exit status, unless the waiting thread is interrupted
     */
    static EnvironmentProcess watch(Process process, String threadPrefix, Consumer<String> lines, IntConsumer exited) {
        Watchdog.watchUntilExit(process.toHandle(), "KILL"); // no frozen JVM outlives the test bed
        pump(process.getInputStream(), threadPrefix + "-stdout", lines);
        pump(process.getErrorStream(), threadPrefix + "-stderr", lines);
        Thread exitWatch = new Thread(() -> {
            try {
                exited.accept(process.waitFor());
            } catch (InterruptedException e) {
                // the emulator is going away
            }
        }, threadPrefix + "-exit");
        exitWatch.setDaemon(true);
        exitWatch.start();
        return new EnvironmentProcess(process);
    }

    Process process() {
        return process;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL, stopped or not, and waits until it is gone. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pump(InputStream stream, String threadName, Consumer<String> lines) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.accept(line);
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, threadName);
        reader.setDaemon(true);
        reader.start();
    }
}
