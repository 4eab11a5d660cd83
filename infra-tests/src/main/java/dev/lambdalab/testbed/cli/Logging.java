package dev.lambdalab.testbed.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where HikariCP's and the handlers' SLF4J lines go during a CLI run: to a log file, so the console
 * shows the table, or to stderr with --verbose. Must run before the first logger is created.
 */
final class Logging {

    private Logging() {
    }

    /** testbed.log in the report's directory. */
    static Path besideReport(Path report) {
        Path directory = report.toAbsolutePath().getParent();
        return directory == null ? Path.of("testbed.log") : directory.resolve("testbed.log");
    }

    static void configure(boolean verbose, Path logFile) {
        if (verbose) {
            System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
            return;
        }
        try {
            Path parent = logFile.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "off");
            return;
        }
        System.setProperty("org.slf4j.simpleLogger.logFile", logFile.toString());
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
    }
}
