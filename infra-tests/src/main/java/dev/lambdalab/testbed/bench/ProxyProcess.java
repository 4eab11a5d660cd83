package dev.lambdalab.testbed.bench;

import dev.lambdalab.testbed.watchdog.Watchdog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code testbed proxy} as its own JVM, as a user runs it: the password goes in PGPASSWORD, never on the
 * command line; its output goes to a file. Its memory can be read from outside (RSS from /proc,
 * the heap through jcmd), which is how the proxy benchmark measures idle clients.
 */
public final class ProxyProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("Listening on 127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final Path output;
    private final int port;

    private ProxyProcess(Process process, Path output, int port) {
        this.process = process;
        this.output = output;
        this.port = port;
    }

    /**
     * Starts {@code testbed proxy --upstream postgresql://USER@HOST:PORT/DB --port 0} with these extra flags
     * and returns once it prints its port. Its output goes to a file (read back by {@link #lines()}), so
     * nothing it prints at exit is lost with a pipe.
     *
     * @throws IllegalStateException when it does not listen within 60 s
     */
    public static ProxyProcess start(String host, int port, String user, String password, String database,
            List<String> flags) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "dev.lambdalab.testbed.cli.TestbedCli", "proxy",
                "--upstream", "postgresql://" + user + "@" + host + ":" + port + "/" + database, "--port", "0"));
        command.addAll(flags);
        Path output = Files.createTempFile("testbed-proxy", ".out");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("PGPASSWORD", Objects.requireNonNull(password, "password"));
        Process process = builder.start();
        Watchdog.watchUntilExit(process.toHandle(), "TERM");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && process.isAlive()) {
            Matcher matcher = LISTENING.matcher(Files.readString(output));
            if (matcher.find()) {
                return new ProxyProcess(process, output, Integer.parseInt(matcher.group(1)));
            }
            Thread.sleep(50);
        }
        process.destroyForcibly();
        String printed = Files.readString(output);
        Files.deleteIfExists(output);
        throw new IllegalStateException("testbed proxy did not start; it printed: " + printed.strip());
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    /** Its exit code once it ended (143 after SIGTERM with its shutdown hook run, as a JVM reports it). */
    public int exitCode() {
        return process.exitValue();
    }

    /** Everything it printed so far. */
    public List<String> lines() throws IOException {
        return Files.readAllLines(output);
    }

    /** Resident memory in MB, from /proc (Linux). */
    public long residentMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid() + "/status");
    }

    /** Heap in use after a full collection, in MB, through jcmd (GC.run, then GC.heap_info). */
    public long heapUsedAfterGcMb() throws IOException, InterruptedException {
        jcmd("GC.run");
        Matcher used = Pattern.compile("used (\\d+)K").matcher(jcmd("GC.heap_info"));
        if (!used.find()) {
            throw new IOException("jcmd GC.heap_info printed no heap figure");
        }
        return Long.parseLong(used.group(1)) / 1024;
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid()), command).redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!jcmd.waitFor(30, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
            throw new IOException("jcmd " + command + " failed: " + output.strip());
        }
        return output;
    }

    /** Stops it as Ctrl-C does (SIGTERM: it prints its last metrics line) and waits up to 10 s. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
            Files.deleteIfExists(output);
        } catch (IOException e) {
            // a temporary file left behind
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
