package dev.lambdalab.testbed.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lambdalab.db.Redactor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** How every report is written: indented JSON with secrets masked, and files whose directory is made first. */
public final class ReportFiles {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportFiles() {
    }

    /** {@code value} as indented JSON, every secret-looking value masked ({@link Redactor}). */
    public static String json(Object value, String what) {
        try {
            return Redactor.redact(JSON.writeValueAsString(value));
        } catch (IOException e) {
            throw new IllegalStateException("could not write the " + what + " as JSON", e);
        }
    }

    /** Writes the file, making its directory first. */
    public static void write(Path file, String content) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, content);
    }
}
