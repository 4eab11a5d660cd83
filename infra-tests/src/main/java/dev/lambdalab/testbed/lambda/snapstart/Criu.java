package dev.lambdalab.testbed.lambda.snapstart;

import dev.lambdalab.testbed.watchdog.Watchdog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 *   <li>{@code CRIU_FAULT=130} in CRIU's environment: no hardware breakpoints (see {@link #NO_BREAKPOINTS}).</li>
 * </ul>
 * Dumps and restores need root (CAP_SYS_ADMIN, CAP_CHECKPOINT_RESTORE).
 */
public final class Criu {

    /** The variable naming a CRIU binary. */
    static final String VARIABLE = "TESTBED_CRIU";
    static final String HOME_VARIABLE = "TESTBED_CRIU_HOME";
    static final String VERSION = "4.1.1";
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Run CRIU without hardware breakpoints. To take its parasite code out of a task (at a dump) or to stop
     * its restorer (at a restore), CRIU sets an x86 debug-register breakpoint on the task's
     * {@code rt_sigreturn} through {@code PTRACE_POKEUSER} and waits in {@code wait4} for the trap
     * (compel's {@code ptrace_stop_pie}). Under some hypervisors the trap never comes: on this project's
     * Firecracker build machine (kernel 6.18.44) every dump and every restore, even of {@code sleep}, waited
     * forever there, with the task back in its system call. 130 is {@code FI_NO_BREAKPOINTS}
     * (criu/include/fault-injection.h): CRIU then follows the task system call by system call to the same
     * point ({@code PTRACE_SYSCALL}), the path CRIU itself once forced on every machine as "a temporary
     * workaround for Xen guests". It costs a few stops per thread; the dump of {@code sleep} took 85 ms.
     */
    static final Map<String, String> NO_BREAKPOINTS = Map.of("CRIU_FAULT", "130");

    /**
     * How long a dump may take before CRIU is killed and the snapshot fails. A function's JVM of about 50 MB
     * dumps in well under a second here (the INIT_REPORT line gives each dump's time); a minute only ends a
     * dump that is stuck, so that a publish fails with a reason instead of hanging.
     */
    static final Duration DUMP_TIMEOUT = Duration.ofSeconds(60);

    private static Optional<String> unavailable;
    private static Criu instance;

    private final Path binary;
    private final Duration dumpTimeout;

    Criu(Path binary, Duration dumpTimeout) {
        this.binary = binary;
        this.dumpTimeout = dumpTimeout;
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
        instance = new Criu(binary.get(), DUMP_TIMEOUT);
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
     * @throws IOException with the end of CRIU's log when the dump failed, or when it did not finish within
     *     {@link #DUMP_TIMEOUT} (CRIU is killed then, which lets the process go)
     */
    void dump(long pid, Path directory) throws IOException, InterruptedException {
        Path log = directory.resolve("dump.log");
        Path output = directory.resolve("dump.out");
        Process process = withoutBreakpoints(new ProcessBuilder(binary.toString(), "dump", "--tree", Long.toString(pid),
                "--images-dir", directory.toString(), "--tcp-close", "--network-lock", "skip", "--log-file",
                log.getFileName().toString(), "-v2").redirectErrorStream(true).redirectOutput(output.toFile())).start();
        Watchdog.watchUntilExit(process.toHandle(), "KILL"); // a CRIU left behind would hold the JVM it traces
        if (!process.waitFor(dumpTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
            throw new IOException("criu dump did not finish within " + dumpTimeout.toSeconds() + " s and was killed;"
                    + " the end of its log: " + tail(log, "no log"));
        }
        if (process.exitValue() != 0) {
            throw new IOException("criu dump failed (exit " + process.exitValue() + "): "
                    + tail(log, Files.exists(output) ? Files.readString(output) : "no output"));
        }
    }

    /**
     * The process that restores one copy from {@code directory}, in a PID namespace and a mount namespace of
     * its own ({@code unshare --pid --fork --mount-proc}), so that any number of copies can restore the
     * snapshot's process id at once. {@code --kill-child}: when the command is killed, so is the copy.
     * CRIU stays the copy's parent (pid 1 of the namespace) until the copy exits.
     */
    ProcessBuilder restoreProcess(Path directory, String logName, String stdoutPipe, String stderrPipe) {
        return withoutBreakpoints(new ProcessBuilder("unshare", "--pid", "--fork", "--kill-child", "--mount-proc",
                binary.toString(), "restore", "--images-dir", directory.toString(), "--tcp-close", "--log-file", logName, "-v2",
                "--inherit-fd", "fd[1]:" + stdoutPipe, "--inherit-fd", "fd[2]:" + stderrPipe));
    }

    /** Every CRIU that dumps or restores runs without hardware breakpoints ({@link #NO_BREAKPOINTS}). */
    private static ProcessBuilder withoutBreakpoints(ProcessBuilder builder) {
        builder.environment().putAll(NO_BREAKPOINTS);
        return builder;
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
