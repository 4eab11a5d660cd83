package dev.lambdalab.testbed.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * The example project examples/orders-api as the tests use it: its jar as the project's build made it, and copies of
 * it in other shapes (the fix of its README applied, a {@code sam build} directory, a zip with {@code lib/}), each
 * beside a copy of its template, so that the template's CodeUri finds them.
 */
public final class OrdersExample {

    /** The handler's package: its own classes, the rest are its libraries. */
    private static final String OWN = "com/example/orders/";

    private OrdersExample() {
    }

    /** examples/orders-api, whose jar the root build made (failsafe passes testbed.examplesDir). */
    public static Path directory() {
        Path examples = Path.of(System.getProperty("testbed.examplesDir", "../examples"));
        Path directory = examples.resolve("orders-api").toAbsolutePath().normalize();
        assertThat(directory.resolve("target/orders-api.jar")).as("the example's jar: the root build makes it"
                + " (./mvnw package, or ./mvnw -pl examples/orders-api package)").isRegularFile();
        return directory;
    }

    /**
     * A copy of the project in {@code into} with {@code fix.diff} applied and compiled against its jar: the template,
     * schema and event as they are, and {@code target/orders-api.jar} with the fixed classes.
     */
    public static Path fixed(Path into) throws IOException, InterruptedException {
        Path source = directory();
        Path project = into.resolve("examples/orders-api");
        copy(source.resolve("src"), project.resolve("src"));
        for (String file : List.of("template.yaml", "schema.sql", "events/get-order.json")) {
            Files.createDirectories(project.resolve(file).getParent());
            Files.copy(source.resolve(file), project.resolve(file));
        }
        Process git = new ProcessBuilder("git", "apply", source.resolve("fix.diff").toString()).directory(into.toFile())
                .redirectErrorStream(true).start();
        String output = new String(git.getInputStream().readAllBytes());
        assertThat(git.waitFor(30, TimeUnit.SECONDS) && git.exitValue() == 0).as("git apply fix.diff: %s", output)
                .isTrue();
        Path classes = Files.createDirectories(into.resolve("classes"));
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        List<String> arguments = new ArrayList<>(List.of("--release", "17", "-proc:none", "-d", classes.toString(),
                "-cp", source.resolve("target/orders-api.jar").toString()));
        try (Stream<Path> files = Files.walk(project.resolve("src"))) {
            files.filter(p -> p.toString().endsWith(".java")).forEach(p -> arguments.add(p.toString()));
        }
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int exit = compiler.run(null, diagnostics, diagnostics, arguments.toArray(String[]::new));
        assertThat(exit).as("javac of the fixed example %s", diagnostics).isZero();
        Path jar = project.resolve("target/orders-api.jar");
        Files.createDirectories(jar.getParent());
        try (ZipFile original = new ZipFile(source.resolve("target/orders-api.jar").toFile());
                ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(jar))) {
            for (Enumeration<? extends ZipEntry> entries = original.entries(); entries.hasMoreElements();) {
                ZipEntry entry = entries.nextElement();
                if (!entry.getName().startsWith(OWN)) {
                    out.putNextEntry(new ZipEntry(entry.getName()));
                    try (InputStream in = original.getInputStream(entry)) {
                        in.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
            try (Stream<Path> compiled = Files.walk(classes)) {
                for (Path file : compiled.filter(Files::isRegularFile).toList()) {
                    out.putNextEntry(new ZipEntry(classes.relativize(file).toString().replace('\\', '/')));
                    Files.copy(file, out);
                    out.closeEntry();
                }
            }
        }
        return project;
    }

    /**
     * The fat jar split as {@code sam build} lays a Java function out: its own classes at the root and its libraries
     * in {@code lib/} (here one jar of them all), written as a directory and as a zip.
     *
     * @return the directory; the zip is beside it, named {@code orders-api.zip}
     */
    public static Path samBuildLayout(Path directory) throws IOException {
        Path root = Files.createDirectories(directory);
        Path lib = Files.createDirectories(root.resolve("lib"));
        try (ZipFile fat = new ZipFile(directory().resolve("target/orders-api.jar").toFile());
                ZipOutputStream libraries = new ZipOutputStream(Files.newOutputStream(lib.resolve("libraries.jar")))) {
            for (Enumeration<? extends ZipEntry> entries = fat.entries(); entries.hasMoreElements();) {
                ZipEntry entry = entries.nextElement();
                if (entry.isDirectory()) {
                    continue;
                }
                try (InputStream in = fat.getInputStream(entry)) {
                    if (entry.getName().startsWith(OWN)) {
                        Path target = root.resolve(entry.getName());
                        Files.createDirectories(target.getParent());
                        Files.copy(in, target);
                    } else {
                        libraries.putNextEntry(new ZipEntry(entry.getName()));
                        in.transferTo(libraries);
                        libraries.closeEntry();
                    }
                }
            }
        }
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(root.resolveSibling("orders-api.zip")));
                Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                zip.putNextEntry(new ZipEntry(root.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, zip);
                zip.closeEntry();
            }
        }
        return root;
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }

    /** Writes text to a file, making its directory. */
    public static Path write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }
}
