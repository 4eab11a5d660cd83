package dev.lambdalab.testbed.pgbouncer;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Where PgBouncer is installed, and which version: on PATH, else where Debian ({@code /usr/sbin}, not on a
 * normal user's PATH), a source build or Homebrew puts it.
 */
public final class PgBouncerBinary {

    private static final List<Path> KNOWN_LOCATIONS = List.of(Path.of("/usr/sbin/pgbouncer"),
            Path.of("/usr/local/sbin/pgbouncer"), Path.of("/usr/local/bin/pgbouncer"),
            Path.of("/opt/homebrew/bin/pgbouncer"));

    private PgBouncerBinary() {
    }

    /** PgBouncer on PATH or at the usual places, if installed. */
    public static Optional<Path> find() {
        String path = System.getenv("PATH");
        Stream<Path> onPath = path == null ? Stream.empty()
                : Stream.of(path.split(File.pathSeparator)).map(dir -> Path.of(dir, "pgbouncer"));
        return Stream.concat(onPath, KNOWN_LOCATIONS.stream()).filter(Files::isExecutable).findFirst();
    }

    /** What {@code pgbouncer --version} says first, such as {@code PgBouncer 1.18.0}, or "unknown". */
    public static String version(Path binary) {
        try {
            Process process = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            String first = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                    .lines().findFirst().orElse("unknown");
            process.waitFor(5, TimeUnit.SECONDS);
            return first.strip();
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
