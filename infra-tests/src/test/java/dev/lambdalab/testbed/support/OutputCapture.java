package dev.lambdalab.testbed.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Copies everything this JVM writes to System.out and System.err while it is open, still passing it on,
 * plus what slf4j-simple appends meanwhile to its log file when it writes to one (the integration tests
 * send HikariCP's, pgjdbc's and shared-db's lines, from every environment, to target/it-slf4j.log), so a
 * test can search all of it.
 */
public final class OutputCapture implements AutoCloseable {

    private final ByteArrayOutputStream copy = new ByteArrayOutputStream();
    private final PrintStream originalOut = System.out;
    private final PrintStream originalErr = System.err;
    private final Path logFile;
    private final long logFileStart;

    private OutputCapture() {
        // slf4j-simple truncates its file when it initialises: do that first, then note where the file stands.
        org.slf4j.LoggerFactory.getLogger(OutputCapture.class);
        logFile = slf4jLogFile();
        logFileStart = size(logFile);
        System.setOut(new PrintStream(new Tee(originalOut), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(originalErr), true, StandardCharsets.UTF_8));
    }

    public static OutputCapture start() {
        return new OutputCapture();
    }

    /** Everything written so far: the console, then slf4j's log file from where it stood at the start. */
    public String text() {
        String console;
        synchronized (copy) {
            console = copy.toString(StandardCharsets.UTF_8);
        }
        return console + "\n" + logFileText();
    }

    private String logFileText() {
        if (logFile == null || !Files.exists(logFile)) {
            return "";
        }
        try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
            long start = Math.min(logFileStart, file.length());
            byte[] bytes = new byte[(int) (file.length() - start)];
            file.seek(start);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + logFile, e);
        }
    }

    private static Path slf4jLogFile() {
        String target = System.getProperty("org.slf4j.simpleLogger.logFile");
        if (target == null || target.equals("System.err") || target.equals("System.out")) {
            return null;
        }
        return Path.of(target);
    }

    private static long size(Path file) {
        try {
            return file == null || !Files.exists(file) ? 0 : Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    private final class Tee extends OutputStream {
        private final OutputStream target;

        Tee(OutputStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) {
            synchronized (copy) {
                copy.write(b);
            }
            try {
                target.write(b);
            } catch (IOException e) {
                // the console went away; the copy is what the test reads
            }
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            synchronized (copy) {
                copy.write(bytes, offset, length);
            }
            try {
                target.write(bytes, offset, length);
            } catch (IOException e) {
                // as above
            }
        }

        @Override
        public void flush() throws IOException {
            target.flush();
        }
    }
}
