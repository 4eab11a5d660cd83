package dev.lambdalab.testbed.support;

import dev.lambdalab.testbed.db.PostgresTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * PostgreSQL's own command-line clients (psql, pgbench) run as a user would run them. Tests that need
 * them skip with the install command when they are missing, unless {@value #REQUIRE_VARIABLE} demands them
 * (CI does).
 */
public final class PostgresClients {

    public static final String REQUIRE_VARIABLE = "TESTBED_REQUIRE_PG_CLIENTS";

    /** What a client printed and how it ended. */
    public record Run(int exitCode, String stdout, String stderr) {
        public String all() {
            return stdout + stderr;
        }
    }

    private PostgresClients() {
    }

    /** The binary on PATH or under /usr/lib/postgresql/VERSION/bin, newest version first. */
    public static Optional<Path> find(String name) {
        return PostgresTools.find(name);
    }

    /** The binary, or the calling test is skipped (failed when {@value #REQUIRE_VARIABLE}=1). */
    public static Path require(String name) {
        Optional<Path> found = find(name);
        if (found.isPresent()) {
            return found.get();
        }
        String message = name + " is not installed (sudo apt-get install -y postgresql-client postgresql): skipped";
        String required = System.getenv(REQUIRE_VARIABLE);
        if ("1".equals(required) || "true".equalsIgnoreCase(required)) {
            Assertions.fail(message.replace("skipped", "required by " + REQUIRE_VARIABLE));
        }
        Assumptions.abort(message);
        throw new AssertionError("unreachable");
    }

    /** Runs the client with PGPASSWORD in its environment (never on its command line), within the timeout. */
    public static Run run(Path binary, List<String> arguments, String password, String stdin, long timeoutSeconds)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> environment = builder.environment();
        environment.put("PGPASSWORD", password);
        environment.put("PGCONNECT_TIMEOUT", "5");
        environment.remove("PGSERVICE");
        Path out = Files.createTempFile("pgclient", ".out");
        Path err = Files.createTempFile("pgclient", ".err");
        try {
            builder.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process process = builder.start();
            try (var input = process.getOutputStream()) {
                if (stdin != null) {
                    input.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                Assertions.fail(binary.getFileName() + " " + arguments + " did not end within " + timeoutSeconds + " s");
            }
            return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
