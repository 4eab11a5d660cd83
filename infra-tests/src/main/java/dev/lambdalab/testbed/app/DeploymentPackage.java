package dev.lambdalab.testbed.app;

import dev.lambdalab.testbed.lambda.process.ProcessRuntime;
import dev.lambdalab.testbed.stack.AppFunction;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A function's code as Lambda runs it, from the template's CodeUri: a jar or zip (a fat jar, or classes beside
 * {@code lib/*.jar}), unpacked once into a cache directory as Lambda unpacks one into /var/task; or a directory laid
 * out the same way, as {@code sam build} leaves one in {@code .aws-sam/build/<Function>/}. The handler's class must
 * be in it, at the root or in a {@code lib/} jar ("Deploy Java Lambda functions with .zip or JAR file archives").
 *
 * @param taskRoot the unpacked package (LAMBDA_TASK_ROOT)
 * @param classFileFeature the Java release the handler's class was compiled for (its class file's major version - 44)
 * @param description where it came from, for reports
 */
public record DeploymentPackage(Path taskRoot, int classFileFeature, String description) {

    /** The system property that names another directory for unpacked packages (the build's tests use it). */
    public static final String CACHE_PROPERTY = "testbed.packageCache";

    /**
     * Where unpacked packages are kept: {@value #CACHE_PROPERTY} if set, else {@code $XDG_CACHE_HOME/lambdalab/packages},
     * else ~/.cache/lambdalab/packages.
     */
    static Path cacheDirectory() {
        String configured = System.getProperty(CACHE_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("lambdalab").resolve("packages");
    }

    /**
     * The function's package.
     *
     * @param templateDirectory what CodeUri is relative to
     * @throws IllegalArgumentException naming the function and what to do: no CodeUri, S3, a project not built, a
     *     missing file, a handler class not in the code
     */
    static DeploymentPackage of(AppFunction function, Path templateDirectory, Path cache) {
        String id = function.logicalId();
        String codeUri = function.codeUri().orElseThrow(() -> new IllegalArgumentException("function " + id
                + " has no CodeUri: the test bed runs a built package (a jar, a zip, or sam build's directory)"));
        if (codeUri.startsWith("s3://")) {
            throw new IllegalArgumentException("function " + id + "'s CodeUri is in S3 (" + codeUri + "): point it at"
                    + " the local jar, or run sam build and use .aws-sam/build/template.yaml");
        }
        Path code = templateDirectory.resolve(codeUri).normalize();
        if (!Files.exists(code)) {
            throw new IllegalArgumentException("function " + id + "'s CodeUri " + codeUri + " does not exist (" + code
                    + ")" + (codeUri.endsWith(".jar") || codeUri.endsWith(".zip") ? ": build it first" : ""));
        }
        Path root;
        if (Files.isDirectory(code)) {
            root = code;
            requireBuilt(id, codeUri, code);
        } else if (codeUri.endsWith(".jar") || codeUri.endsWith(".zip")) {
            root = ProcessRuntime.unpack(code, cache.resolve(code.getFileName().toString().replaceFirst("\\.(jar|zip)$",
                    "") + "-" + digest(code.toAbsolutePath().toString())));
        } else {
            throw new IllegalArgumentException("function " + id + "'s CodeUri " + codeUri + " is neither a directory nor"
                    + " a .jar or .zip file");
        }
        int feature = handlerClassFeature(root, function.handlerClass()).orElseThrow(() -> new IllegalArgumentException(
                "function " + id + "'s handler class " + function.handlerClass() + " is not in " + codeUri
                        + " (looked at its root and lib/*.jar): check Handler, or rebuild the package"));
        return new DeploymentPackage(root, feature, codeUri);
    }

    /** A directory must hold classes or lib/ jars: a project directory that was never built gets told what to run. */
    private static void requireBuilt(String id, String codeUri, Path directory) {
        boolean hasCode;
        try (Stream<Path> files = Files.walk(directory, 8)) {
            hasCode = files.anyMatch(p -> {
                String name = p.getFileName().toString();
                String relative = directory.relativize(p).toString();
                // a project's own build output is not a package: Lambda would not find the classes there
                return (name.endsWith(".class") || name.endsWith(".jar")) && !relative.startsWith("target")
                        && !relative.startsWith("build");
            });
        } catch (IOException e) {
            throw new IllegalArgumentException("function " + id + "'s CodeUri " + codeUri + " cannot be read: "
                    + e.getMessage(), e);
        }
        if (hasCode) {
            return;
        }
        String tool = Files.exists(directory.resolve("pom.xml")) ? "a Maven project: run mvn package there"
                : Files.exists(directory.resolve("build.gradle")) || Files.exists(directory.resolve("build.gradle.kts"))
                        ? "a Gradle project: run gradle build there" : "a directory without classes";
        throw new IllegalArgumentException("function " + id + "'s CodeUri " + codeUri + " is " + tool + " and point"
                + " CodeUri at the jar it makes, or run sam build and use .aws-sam/build/template.yaml");
    }

    /** The handler class's Java release, from its class file at the root or in a lib/ jar. */
    private static Optional<Integer> handlerClassFeature(Path root, String className) {
        String entry = className.replace('.', '/') + ".class";
        Path direct = root.resolve(entry);
        try {
            if (Files.isRegularFile(direct)) {
                try (InputStream in = Files.newInputStream(direct)) {
                    return Optional.of(feature(in));
                }
            }
            Path lib = root.resolve("lib");
            if (Files.isDirectory(lib)) {
                List<Path> jars;
                try (Stream<Path> files = Files.list(lib)) {
                    jars = files.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
                }
                for (Path jar : jars) {
                    try (ZipFile zip = new ZipFile(jar.toFile())) {
                        ZipEntry found = zip.getEntry(entry);
                        if (found != null) {
                            try (InputStream in = zip.getInputStream(found)) {
                                return Optional.of(feature(in));
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** A class file's Java release: magic 0xCAFEBABE, minor, major ("The class File Format", JVMS 4.1). */
    private static int feature(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        if (data.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        data.readUnsignedShort();
        return data.readUnsignedShort() - 44;
    }

    private static String digest(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8))).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
