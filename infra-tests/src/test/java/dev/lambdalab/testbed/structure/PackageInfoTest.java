package dev.lambdalab.testbed.structure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every package says, in its package-info.java, what it holds and what it may not depend on. */
class PackageInfoTest {

    @Test
    void everyPackageOfMainCodeHasAPackageInfo() throws IOException {
        for (String module : List.of(".", "../shared-db", "../functions")) {
            try (Stream<Path> files = Files.walk(Path.of(module, "src/main/java"))) {
                List<Path> undocumented = files.filter(file -> file.toString().endsWith(".java")).map(Path::getParent)
                        .distinct().filter(directory -> !Files.exists(directory.resolve("package-info.java"))).toList();
                assertThat(undocumented).as("packages of %s without package-info.java", module).isEmpty();
            }
        }
    }
}
