package dev.lambdalab.testbed.lambda.snapstart;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * CRIU (Checkpoint/Restore In Userspace), which the SnapStart emulation uses to snapshot an initialised
 * environment JVM and restore copies of it. Where it is looked for, in order: {@code $TESTBED_CRIU} (the
 * binary), {@code $TESTBED_CRIU_HOME/bin/criu}, {@code ~/.cache/lambdalab/criu-4.1.1/bin/criu} (where
 * {@code infra-tests/snapstart/install-criu} puts it), then {@code criu} on PATH.
 *
 * <p>The options, and why:
 * <ul>
 *   <li>{@code --tcp-close}: every TCP connection in the snapshot is restored closed. Firecracker's snapshot
 *       keeps a socket's state, but its peer forgot the connection long ago, which comes to the same for the
 *       function: the connection is dead. The Runtime API's own connection is closed too; the runtime
 *       client's HTTP layer retries its {@code restore/next} request on a new one.</li>
 *   <li>{@code --network-lock skip}: nothing needs the network locked while a dump runs, since no TCP
 *       connection is kept; the default (iptables) is not installed here.</li>
 *   <li>{@code --inherit-fd}: a copy writes its stdout and stderr to pipes of its own, not the snapshotted
 *       process's.</li>
 * </ul>
 * Dumps and restores need root (CAP_SYS_ADMIN, CAP_CHECKPOINT_RESTORE).
 */
public final class Criu {

    /** The variable naming a CRIU binary. */
    static final String VARIABLE = "TESTBED_CRIU";
    static final String HOME_VARIABLE = "TESTBED_CRIU_HOME";
    static final String VERSION = "4.1.1";
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(30);

    private static Optional<String> unavailable;
    private static Criu instance;

    private final Path binary;

    private Criu(Path binary) {
        this.binary = binary;
    }

    /**
     * Why snapshots cannot be taken here, or empty when they can: Linux, root, a CRIU binary found, and
     * {@code criu check} content with this kernel. Checked once per JVM.
     */
    public static synchronized Optional<String> unavailableReason() {
        if (unavailable == null) {
            unavailable = check();
        }
        return unavailable;
    }

    /** The CRIU of this machine. @throws IllegalStateException with {@link #unavailableReason()} */
    static synchronized Criu get() {
        Optional<String> reason = unavailableReason();
        if (reason.isPresent()) {
            throw new IllegalStateException(reason.get());
        }
        return instance;
    }

    private static Optional<String> check() {
        if (!Files.isDirectory(Path.of("/proc/self"))) {
            return Optional.of("SnapStart snapshots need Linux and CRIU");
        }
        if (!isRoot()) {
            return Optional.of("SnapStart snapshots need root: CRIU dumps and restores need CAP_SYS_ADMIN");
        }
        Optional<Path> binary = locate();
        if (binary.isEmpty()) {
            return Optional.of("CRIU " + VERSION + " is not installed: run infra-tests/snapstart/install-criu (or set "
                    + VARIABLE + " to a criu binary)");
        }
        try {
            Process check = new ProcessBuilder(binary.get().toString(), "check").redirectErrorStream(true).start();
            boolean done = check.waitFor(CHECK_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!done) {
                check.destroyForcibly();
                return Optional.of("`" + binary.get() + " check` did not answer within " + CHECK_TIMEOUT.toSeconds() + " s");
            }
            if (check.exitValue() != 0 || !output.contains("Looks good")) {
                String last = output.lines().reduce((first, second) -> second).orElse("no output");
                return Optional.of("`" + binary.get() + " check` says this kernel cannot be checkpointed: " + last
                        + " (CRIU " + VERSION + " is needed: infra-tests/snapstart/install-criu)");
            }
        } catch (IOException e) {
            return Optional.of("could not run " + binary.get() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while checking CRIU");
        }
        instance = new Criu(binary.get());
        return Optional.empty();
    }

    private static Optional<Path> locate() {
        List<Path> candidates = new ArrayList<>();
        String configured = System.getenv(VARIABLE);
        if (configured != null && !configured.isBlank()) {
            candidates.add(Path.of(configured));
        }
        String home = System.getenv(HOME_VARIABLE);
        if (home != null && !home.isBlank()) {
            candidates.add(Path.of(home, "bin", "criu"));
        }
        candidates.add(Path.of(System.getProperty("user.home"), ".cache", "lambdalab", "criu-" + VERSION, "bin", "criu"));
        String path = System.getenv("PATH");
        if (path != null) {
            for (String directory : path.split(":")) {
                if (!directory.isBlank()) {
                    candidates.add(Path.of(directory, "criu"));
                }
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    private static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("Uid:"))
                    .anyMatch(line -> line.split("\\s+")[2].equals("0")); // the effective uid
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Dumps the process tree rooted at {@code pid} into {@code directory}; the process is killed once it is
     * dumped (CRIU's default), as Lambda discards the environment it snapshotted.
     *
     * @throws IOException with the end of CRIU's log when the dump failed
     */
    void dump(long pid, Path directory) throws IOException, InterruptedException {
        run(List.of(binary.toString(), "dump", "--tree", Long.toString(pid), "--images-dir", directory.toString(),
                "--tcp-close", "--network-lock", "skip", "--log-file", "dump.log", "-v2"), directory.resolve("dump.log"),
                "dump");
    }

    /**
     * The command that restores one copy from {@code directory}, in a PID namespace and a mount namespace of
     * its own ({@code unshare --pid --fork --mount-proc}), so that any number of copies can restore the
     * snapshot's process id at once. {@code --kill-child}: when the command is killed, so is the copy.
     * CRIU stays the copy's parent (pid 1 of the namespace) until the copy exits.
     */
    List<String> restoreCommand(Path directory, String logName, String stdoutPipe, String stderrPipe) {
        return List.of("unshare", "--pid", "--fork", "--kill-child", "--mount-proc", binary.toString(), "restore",
                "--images-dir", directory.toString(), "--tcp-close", "--log-file", logName, "-v2",
                "--inherit-fd", "fd[1]:" + stdoutPipe, "--inherit-fd", "fd[2]:" + stderrPipe);
    }

    private static void run(List<String> command, Path log, String what) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("criu " + what + " failed (exit " + process.exitValue() + "): " + tail(log, output));
        }
    }

    /** The last error lines of a CRIU log, for a message. */
    static String tail(Path log, String fallback) {
        try {
            List<String> lines = Files.readAllLines(log);
            List<String> errors = lines.stream().filter(line -> line.contains("Error")).toList();
            List<String> pick = errors.isEmpty() ? lines : errors;
            return String.join(" | ", pick.subList(Math.max(0, pick.size() - 3), pick.size()));
        } catch (IOException e) {
            return fallback.strip();
        }
    }
}
