package dev.lambdalab.testbed.lambda.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Sends SIGSTOP and SIGCONT to environment processes. Java can only terminate a process; stopping and
 * continuing one takes {@code kill}. Forking {@code kill} per signal would cost milliseconds per
 * invocation, so one long-lived shell runs its built-in {@code kill} for each request and answers
 * {@code ok} or {@code fail}: tens of microseconds per signal.
 */
public final class Signals {

    /** The signals the emulator sends. */
    enum Signal { STOP, CONT }

    private static Signals instance;

    private final Process shell;
    private final Writer commands;
    private final BufferedReader answers;

    private Signals() {
        try {
            shell = new ProcessBuilder("sh", "-c",
                    "while read -r sig pid; do kill -s \"$sig\" \"$pid\" 2>/dev/null && echo ok || echo fail; done")
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("process isolation needs sh and its kill: " + e.getMessage(), e);
        }
        commands = new OutputStreamWriter(shell.getOutputStream(), StandardCharsets.US_ASCII);
        answers = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.US_ASCII));
    }

    static synchronized Signals get() {
        if (instance == null || !instance.shell.isAlive()) {
            instance = new Signals();
        }
        return instance;
    }

    /** Sends the signal; false when the process is gone. */
    synchronized boolean send(Signal signal, long pid) {
        try {
            commands.write(signal.name() + " " + pid + "\n");
            commands.flush();
            String answer = answers.readLine();
            return "ok".equals(answer);
        } catch (IOException e) {
            throw new UncheckedIOException("the signal shell went away: " + e.getMessage(), e);
        }
    }

    /**
     * The process's state letter from /proc/PID/stat: {@code T} when stopped, {@code S} sleeping,
     * {@code R} running; {@code ?} when it is gone.
     */
    static char state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2); // the name in parentheses may contain spaces
        } catch (IOException | StringIndexOutOfBoundsException e) {
            return '?';
        }
    }

    /** CPU time the process used so far (user + system), in clock ticks, from /proc/PID/stat; -1 when gone. */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14 and 15)
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
