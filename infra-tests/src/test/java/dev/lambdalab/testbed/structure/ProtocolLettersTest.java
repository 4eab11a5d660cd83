package dev.lambdalab.testbed.structure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The wire protocol is named once, in {@code pgwire}: the proxies' code compares and writes its constants, never a
 * bare letter, since 'D' is DataRow from a server and Describe from a client.
 */
class ProtocolLettersTest {

    private static final Path MAIN = Path.of("src/main/java/dev/lambdalab/testbed");
    /** A character literal of a letter or digit. */
    private static final Pattern LETTER = Pattern.compile("'[A-Za-z0-9]'");
    /** Files whose letters are SQL's or a date format's, not the protocol's. */
    private static final Set<String> NOT_PROTOCOL = Set.of("SqlLexer.java", "IamTokens.java");

    @Test
    void noBareProtocolLetterInTheProxies() throws IOException {
        List<String> found = new ArrayList<>();
        for (String pkg : List.of("rdsproxy", "proxy", "pgbouncer")) {
            try (Stream<Path> files = Files.list(MAIN.resolve(pkg))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    if (NOT_PROTOCOL.contains(file.getFileName().toString())) {
                        continue;
                    }
                    List<String> lines = Files.readAllLines(file);
                    for (int i = 0; i < lines.size(); i++) {
                        String code = lines.get(i).strip();
                        if (!code.startsWith("*") && !code.startsWith("//") && LETTER.matcher(code).find()) {
                            found.add(pkg + "/" + file.getFileName() + ":" + (i + 1) + ": " + code);
                        }
                    }
                }
            }
        }
        assertThat(found).as("use dev.lambdalab.testbed.pgwire's constants").isEmpty();
    }
}
