package dev.lambdalab.testbed.watchdog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a test bed left behind when both its JVM and its {@link Watchdog} died (a {@code kill -9} of the
 * whole process group, the OOM killer, a power cut): a PostgreSQL data directory or a PgBouncer directory,
 * and maybe the postmaster or PgBouncer still serving from it. Each directory a test bed owns carries an
 * owner file naming its JVM (pid and start time, so a reused pid is not mistaken for it). The next test bed
 * to start sweeps the temporary directory: a directory whose owner is gone has the processes whose command
 * line names it stopped (SIGINT, PostgreSQL's fast shutdown; SIGTERM for others; SIGKILL after
 * {@link #GRACE}), then it is deleted. Directories without an owner file, or with a live owner, are never
 * touched.
 */
public final class Leftovers {

    /** The owner file's name, inside each directory a test bed owns. */
    public static final String OWNER_FILE = ".testbed-owner";

    /** How long a leftover process gets to stop after its signal before SIGKILL. */
    public static final Duration GRACE = Duration.ofSeconds(5);

    /** Name prefixes of the directories the test bed creates: zonky's data directories and PgBouncer's. */
    private static final List<String> PREFIXES = List.of("epg", "testbed-pgbouncer-");

    private static final Logger LOG = LoggerFactory.getLogger(Leftovers.class);

    private Leftovers() {
    }

    /** One directory swept: where it was and the pids of the processes that still served from it. */
    public record Swept(Path directory, List<Long> stoppedPids) {
    }

    /** Marks a directory as this JVM's, so a later test bed can tell a leftover from a directory in use. */
    public static void claim(Path directory) {
        ProcessHandle self = ProcessHandle.current();
        String owner = "pid=" + self.pid() + " start=" + self.info().startInstant().map(Instant::toString).orElse("-")
                + "\n";
        try {
            Files.writeString(directory.resolve(OWNER_FILE), owner, StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.warn("could not mark {} as this test bed's ({}): a later test bed will not sweep it if it is left"
                    + " behind", directory, e.getMessage());
        }
    }

    /** Sweeps the JVM's temporary directory ({@code java.io.tmpdir}). */
    public static List<Swept> sweep() {
        return sweep(Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** Sweeps the test bed's directories in {@code parent} whose owner is gone; returns what was swept. */
    public static List<Swept> sweep(Path parent) {
        List<Swept> swept = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, Leftovers::isTestBedDirectory)) {
            for (Path directory : entries) {
                if (ownerIsGone(directory)) {
                    swept.add(sweepOne(directory));
                }
            }
        } catch (IOException e) {
            LOG.warn("could not look for leftovers in {}: {}", parent, e.getMessage());
        }
        return swept;
    }

    private static boolean isTestBedDirectory(Path path) {
        String name = path.getFileName().toString();
        return PREFIXES.stream().anyMatch(name::startsWith) && Files.isRegularFile(path.resolve(OWNER_FILE));
    }

    /** True when the owner file names a JVM that no longer runs (or a pid reused by another process). */
    static boolean ownerIsGone(Path directory) {
        try {
            String owner = Files.readString(directory.resolve(OWNER_FILE), StandardCharsets.UTF_8).strip();
            String[] fields = owner.split(" ");
            long pid = Long.parseLong(fields[0].substring("pid=".length()));
            String start = fields[1].substring("start=".length());
            Optional<ProcessHandle> process = ProcessHandle.of(pid);
            return process.isEmpty() || !process.get().isAlive() || !process.get().info().startInstant()
                    .map(Instant::toString).orElse("-").equals(start);
        } catch (IOException | RuntimeException e) {
            return false; // unreadable or half-written: not provably a leftover
        }
    }

    private static Swept sweepOne(Path directory) {
        String path = directory.toAbsolutePath().toString();
        List<ProcessHandle> servers;
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            // the postmaster runs "postgres -D DIR ..."; PgBouncer runs "pgbouncer [-u nobody] DIR/pgbouncer.ini"
            servers = all.filter(p -> p.info().commandLine().orElse("").contains(path)).toList();
        }
        for (ProcessHandle server : servers) {
            signal(server, server.info().command().orElse("").endsWith("postgres") ? "INT" : "TERM");
        }
        long deadline = System.nanoTime() + GRACE.toNanos();
        while (System.nanoTime() < deadline && servers.stream().anyMatch(ProcessHandle::isAlive)) {
            sleep(50);
        }
        servers.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        delete(directory);
        List<Long> pids = servers.stream().map(ProcessHandle::pid).toList();
        LOG.info("removed {}, left by a test bed that died with its watchdog{}", directory,
                pids.isEmpty() ? "" : "; stopped the processes still serving from it: " + pids);
        return new Swept(directory, pids);
    }

    private static void signal(ProcessHandle process, String signal) {
        try {
            new ProcessBuilder("kill", "-CONT", Long.toString(process.pid())).start().waitFor();
            new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor();
        } catch (IOException e) {
            process.destroy(); // no kill(1): SIGTERM through the JDK
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void delete(Path directory) {
        try (Stream<Path> tree = Files.walk(directory)) {
            for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOG.warn("could not delete the leftover {}: {}", directory, e.getMessage());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
