package dev.lambdalab.testbed.pgbouncer;

import dev.lambdalab.testbed.watchdog.Watchdog;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * One PgBouncer's files in a temporary directory of its own: pgbouncer.ini, the user list, pg_hba.conf and its
 * log. PgBouncer refuses to run as root; when the JVM is root the files are handed to {@code nobody}, as whom
 * PgBouncer then runs ({@link #runAsNobody()}). The watchdog deletes the directory if the JVM is killed.
 */
final class PgBouncerDirectory implements AutoCloseable {

    private final Path directory;
    private final boolean runAsNobody;

    private PgBouncerDirectory(Path directory, boolean runAsNobody) {
        this.directory = directory;
        this.runAsNobody = runAsNobody;
    }

    /** Writes the configuration's files into a new directory. */
    static PgBouncerDirectory write(PgBouncerConfig files) throws IOException {
        Path directory = Files.createTempDirectory("testbed-pgbouncer-");
        Watchdog.watchDirectory(directory);
        Path config = directory.resolve("pgbouncer.ini");
        Path userList = directory.resolve("userlist.txt");
        Path hba = directory.resolve("pg_hba.conf");
        Files.writeString(config, files.ini(userList.toString(), hba.toString()));
        Files.writeString(userList, files.userList());
        Files.writeString(hba, files.hba());
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            // PgBouncer refuses to run as root: it drops to nobody, who must be able to read its files.
            handTo("nobody", directory, config, userList, hba);
        }
        return new PgBouncerDirectory(directory, root);
    }

    Path config() {
        return directory.resolve("pgbouncer.ini");
    }

    Path log() {
        return directory.resolve("pgbouncer.log");
    }

    /** Whether PgBouncer must be started with {@code -u nobody}. */
    boolean runAsNobody() {
        return runAsNobody;
    }

    /** The last lines PgBouncer wrote, for error messages. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log());
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void handTo(String user, Path... paths) throws IOException {
        UserPrincipal owner = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(user);
        for (Path path : paths) {
            Files.setOwner(path, owner);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(
                    Files.isDirectory(path) ? "rwx------" : "rw-------"));
        }
    }

    /** Deletes the directory. */
    @Override
    public void close() {
        Watchdog.forgetDirectory(directory);
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is not worth failing a run for
        }
    }
}
