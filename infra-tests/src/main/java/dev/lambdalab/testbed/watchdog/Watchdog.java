package dev.lambdalab.testbed.watchdog;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Cleans up after this JVM when it dies without running its shutdown hooks (SIGKILL, a second Ctrl-C, a
 * killed terminal, a test's {@code destroyForcibly}). One small shell process per JVM, in its own session so
 * a terminal's signals do not reach it, reads a list of processes and directories from a pipe. Only this JVM
 * holds the pipe's other end; when the JVM ends, however it ends, the kernel closes it, the shell reads end of
 * file and signals each process still registered (PostgreSQL's postmaster with SIGINT, its fast shutdown;
 * others with SIGTERM, after SIGCONT for a frozen environment), waits 3 s, sends SIGKILL to any still alive
 * and deletes the directories. Processes and directories are taken off the list when they end normally, so a
 * reused pid is never signalled.
 *
 * <p>Linux and other POSIX systems; where {@code /bin/sh} is missing it does nothing.
 */
public final class Watchdog {

    private static final String SCRIPT = """
            pids=''; dirs=''
            while IFS= read -r line; do
              set -- $line
              case "$1" in
                add) pids="$pids $2:$3" ;;
                remove) pids=$(printf '%s\\n' $pids | grep -v ":$2$" | tr '\\n' ' ') ;;
                dir) dirs="$dirs $2" ;;
                undir) dirs=$(printf '%s\\n' $dirs | grep -vx "$2" | tr '\\n' ' ') ;;
              esac
            done
            for entry in $pids; do
              sig=${entry%%:*}; pid=${entry##*:}
              kill -CONT "$pid" 2>/dev/null; kill -"$sig" "$pid" 2>/dev/null
            done
            sleep 3
            for entry in $pids; do kill -KILL "${entry##*:}" 2>/dev/null; done
            for dir in $dirs; do rm -rf "$dir"; done
            """;

    private static Watchdog instance;

    private final Process process;
    private final OutputStream pipe;

    private Watchdog(Process process) {
        this.process = process;
        this.pipe = process.getOutputStream();
    }

    /**
     * This JVM's watchdog, started on first use; {@code null} where it cannot run. Its first use also sweeps
     * what test beds that died together with their watchdogs left behind ({@link Leftovers}).
     */
    public static synchronized Watchdog get() {
        if (instance == null && Files.isExecutable(Path.of("/bin/sh"))) {
            Leftovers.sweep();
            List<String> command = new ArrayList<>();
            if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
                command.add("/usr/bin/setsid"); // its own session: a terminal's Ctrl-C reaches the JVM only
            }
            command.addAll(List.of("/bin/sh", "-c", SCRIPT));
            try {
                instance = new Watchdog(new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start());
            } catch (IOException e) {
                return null;
            }
        }
        return instance;
    }

    /** Watches a process, to be ended with this signal (INT, TERM, KILL) if the JVM dies first. */
    public static void watch(long pid, String signal) {
        send("add " + signal + " " + pid);
    }

    /** Watches a process until it ends, whoever ends it. */
    public static void watchUntilExit(ProcessHandle process, String signal) {
        long pid = process.pid();
        watch(pid, signal);
        process.onExit().thenRun(() -> forget(pid));
    }

    /** Stops watching a process (it ended, or was stopped normally). */
    public static void forget(long pid) {
        send("remove " + pid);
    }

    /**
     * Deletes this directory if the JVM dies first (after the processes have been signalled), and marks it as
     * this JVM's, so that the next test bed removes it if the watchdog dies too.
     */
    public static void watchDirectory(Path directory) {
        send("dir " + directory.toAbsolutePath());
        Leftovers.claim(directory);
    }

    /** Stops watching a directory. */
    public static void forgetDirectory(Path directory) {
        send("undir " + directory.toAbsolutePath());
    }

    /** The watchdog's own pid, for tests; -1 where none runs. */
    public static long pid() {
        Watchdog watchdog = get();
        return watchdog == null ? -1 : watchdog.process.pid();
    }

    private static void send(String line) {
        Watchdog watchdog = get();
        if (watchdog == null || line.chars().filter(c -> c == ' ').count() > 2 || line.contains("\n")) {
            return; // a path with white space cannot be passed to the shell's word list: left unwatched
        }
        synchronized (watchdog) {
            try {
                watchdog.pipe.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                watchdog.pipe.flush();
            } catch (IOException e) {
                // the watchdog is gone: nothing more to do than without one
            }
        }
    }
}
