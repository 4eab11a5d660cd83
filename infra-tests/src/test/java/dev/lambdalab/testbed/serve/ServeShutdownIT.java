package dev.lambdalab.testbed.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdalab.testbed.watchdog.Leftovers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code testbed serve} as its own process, stopped with SIGTERM (what Ctrl-C's SIGINT also does): no
 * PostgreSQL postmaster or PgBouncer process left, no data directory left. The RDS Proxy emulator runs in
 * the serve JVM itself, so it ends with it.
 */
class ServeShutdownIT {

    private static final Pattern SERVING = Pattern.compile("Serving on (http://127\\.0\\.0\\.1:\\d+)");

    @Test
    void sigtermStopsPgBouncerAndPostgresAndLeavesNoDataDirectory() throws Exception {
        Path temp = Path.of(System.getProperty("java.io.tmpdir"));
        Set<Path> before = leftovers(temp);
        Process serve = startServe(List.of());
        try {
            String url = awaitServing(serve);
            assertThat(HttpLoad.get(url + "/fixed").status()).isEqualTo(200);
            Set<Path> serving = leftovers(temp);
            assertThat(serving).as("data directories while serving").hasSizeGreaterThan(before.size());
            // Embedded PostgreSQL daemonises (pg_ctl start), so it is no child of the JVM: its postmaster's pid
            // comes from postmaster.pid in the new data directory. PgBouncer, when the proxy is PgBouncer, is.
            List<ProcessHandle> children = new java.util.ArrayList<>(serve.descendants().toList());
            for (Path directory : serving) {
                if (!before.contains(directory)) {
                    postmaster(directory).ifPresent(children::add);
                }
            }
            assertThat(children).as("the postmaster of the embedded PostgreSQL").isNotEmpty();
            assertThat(children).as("processes alive while serving").allMatch(ProcessHandle::isAlive);

            serve.destroy(); // SIGTERM
            assertThat(serve.waitFor(60, TimeUnit.SECONDS)).as("serve stops within 60 s").isTrue();

            for (ProcessHandle child : children) {
                child.onExit().get(10, TimeUnit.SECONDS);
                assertThat(child.isAlive()).as("child %s %s", child.pid(), child.info().command().orElse("")).isFalse();
            }
            assertThat(leftovers(temp)).as("temporary directories after SIGTERM").isEqualTo(before);
        } finally {
            serve.destroyForcibly();
        }
    }

    @Test
    void sigkillLeavesNoPostgresProxyOrDataDirectoryBehindForLongerThanAFewSeconds() throws Exception {
        Path temp = Path.of(System.getProperty("java.io.tmpdir"));
        Set<Path> before = leftovers(temp);
        boolean pgBouncer = dev.lambdalab.testbed.pgbouncer.PgBouncerBinary.find().isPresent();
        // with PgBouncer, a child process of its own to be cleaned up too
        Process serve = startServe(pgBouncer ? List.of("--proxy", "pgbouncer") : List.of());
        try {
            String url = awaitServing(serve);
            assertThat(HttpLoad.get(url + "/fixed").status()).isEqualTo(200);
            List<ProcessHandle> processes = new java.util.ArrayList<>(serve.descendants()
                    .filter(p -> p.info().command().orElse("").contains("pgbouncer")).toList());
            for (Path directory : leftovers(temp)) {
                if (!before.contains(directory)) {
                    postmaster(directory).ifPresent(processes::add);
                }
            }
            assertThat(processes).as("the postmaster%s", pgBouncer ? " and PgBouncer" : "")
                    .hasSize(pgBouncer ? 2 : 1).allMatch(ProcessHandle::isAlive);

            serve.destroyForcibly(); // SIGKILL: no shutdown hook runs
            serve.waitFor(10, TimeUnit.SECONDS);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (System.nanoTime() < deadline
                    && (processes.stream().anyMatch(ProcessHandle::isAlive) || !leftovers(temp).equals(before))) {
                Thread.sleep(100);
            }
            assertThat(processes).as("processes 15 s after the test bed was killed").noneMatch(ProcessHandle::isAlive);
            assertThat(leftovers(temp)).as("temporary directories 15 s after the test bed was killed").isEqualTo(before);
        } finally {
            serve.destroyForcibly();
        }
    }

    @Test
    void aTestBedKilledTogetherWithItsWatchdogIsCleanedUpByTheNextStart() throws Exception {
        Path temp = Path.of(System.getProperty("java.io.tmpdir"));
        Set<Path> before = leftovers(temp);
        Process serve = startServe(List.of());
        try {
            awaitServing(serve);
            Set<Path> created = new java.util.HashSet<>(leftovers(temp));
            created.removeAll(before);
            assertThat(created).as("the data directory serve created").hasSize(1);
            Path dataDirectory = created.iterator().next();
            ProcessHandle postmaster = postmaster(dataDirectory).orElseThrow();
            List<ProcessHandle> watchdogs = serve.descendants()
                    .filter(p -> p.info().commandLine().orElse("").contains("IFS= read")).toList();
            assertThat(watchdogs).as("serve's watchdog").hasSize(1);

            // kill -9 of the watchdog and the JVM together: nothing of the test bed is left to clean up
            watchdogs.get(0).destroyForcibly();
            serve.destroyForcibly();
            serve.waitFor(10, TimeUnit.SECONDS);
            Thread.sleep(4_000); // longer than the watchdog's own 3 s grace: it would have acted by now
            assertThat(postmaster.isAlive()).as("the orphaned postmaster, with no watchdog left").isTrue();
            assertThat(dataDirectory).as("the orphaned data directory").exists();

            // what the next test bed's start runs (Watchdog.get() -> Leftovers.sweep())
            List<Leftovers.Swept> swept = Leftovers.sweep(temp);

            assertThat(swept).as("leftovers swept").extracting(Leftovers.Swept::directory).contains(dataDirectory);
            assertThat(swept).as("processes stopped").flatExtracting(Leftovers.Swept::stoppedPids)
                    .contains(postmaster.pid());
            assertThat(postmaster.isAlive()).as("the orphaned postmaster after the sweep").isFalse();
            assertThat(dataDirectory).as("the orphaned data directory after the sweep").doesNotExist();
        } finally {
            serve.destroyForcibly();
        }
    }

    /** {@code testbed serve --port 0} as a JVM of its own, with this test's class path, plus {@code extra} flags. */
    private static Process startServe(List<String> extra) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "dev.lambdalab.testbed.cli.TestbedCli", "serve", "--port", "0"));
        command.addAll(extra);
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static String awaitServing(Process serve) throws IOException {
        BufferedReader output = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + 90_000_000_000L;
        String line;
        while (System.nanoTime() < deadline && (line = output.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher matcher = SERVING.matcher(line);
            if (matcher.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        while (output.readLine() != null) {
                            // keep the pipe flowing
                        }
                    } catch (IOException e) {
                        // the process ended
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return matcher.group(1);
            }
        }
        throw new AssertionError("testbed serve did not start; it printed:\n" + seen);
    }

    /** The postmaster whose pid the data directory's postmaster.pid names (its first line). */
    private static java.util.Optional<ProcessHandle> postmaster(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory, 2)) {
            for (Path pidFile : files.filter(f -> f.getFileName().toString().equals("postmaster.pid")).toList()) {
                String first = Files.readAllLines(pidFile).get(0).strip();
                return ProcessHandle.of(Long.parseLong(first));
            }
        }
        return java.util.Optional.empty();
    }

    /** Embedded PostgreSQL data directories and PgBouncer working directories in the temp directory. */
    private static Set<Path> leftovers(Path temp) throws IOException {
        try (Stream<Path> entries = Files.list(temp)) {
            return entries.filter(path -> {
                String name = path.getFileName().toString();
                return name.startsWith("epg") || name.startsWith("testbed-pgbouncer-");
            }).collect(Collectors.toSet());
        }
    }
}
