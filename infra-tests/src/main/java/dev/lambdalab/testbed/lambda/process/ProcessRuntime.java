package dev.lambdalab.testbed.lambda.process;

import java.io.BufferedInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * What a process environment runs: this JVM's {@code java}, AWS's runtime interface client with what it
 * needs on the class path, and the function's deployment package (functions.jar) unpacked once into a
 * directory every process uses as its working directory, as Lambda unpacks a package into /var/task.
 *
 * <p>The build puts the runtime client's jars in {@code infra-tests/target/lambda-runtime} (the
 * maven-dependency-plugin's copy, see infra-tests/pom.xml): aws-lambda-java-runtime-interface-client,
 * aws-lambda-java-core, aws-lambda-java-serialization, and the AWS SDK's utils-lite (and annotations),
 * which the client needs at run time but does not declare.
 */
public final class ProcessRuntime {

    /** System property (or TESTBED_LAMBDA_RUNTIME variable) naming the runtime client's jar directory. */
    public static final String RUNTIME_PROPERTY = "testbed.lambdaRuntime";
    /** System property (or TESTBED_FUNCTION_JAR variable) naming the function's deployment package. */
    public static final String FUNCTION_JAR_PROPERTY = "testbed.functionJar";
    /** The runtime client's entry point. */
    static final String MAIN_CLASS = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";

    private static ProcessRuntime instance;

    /**
     * The runtime client's property naming its JNI library. Without it, every client copies the library
     * out of its jar to the one fixed path /tmp/.libaws-lambda-jni.so and loads it from there: harmless in
     * Lambda, one process per micro-VM, but here concurrent cold starts overwrite the file while another
     * process maps it, and that process dies with SIGBUS in the dynamic loader. The test bed copies the
     * library once and points every process at the copy.
     */
    static final String JNI_PROPERTY = "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";

    private final List<Path> classPath;
    private final Path functionJar;
    private final Path jniLibrary;
    private Path projectTaskRoot;

    private ProcessRuntime(List<Path> classPath, Path functionJar, Path jniLibrary) {
        this.classPath = List.copyOf(classPath);
        this.functionJar = functionJar;
        this.jniLibrary = jniLibrary;
    }

    /**
     * The runtime of this JVM, found (and the package unpacked) on first use.
     *
     * @throws IllegalStateException naming what is missing and how to build it
     */
    public static synchronized ProcessRuntime get() {
        if (instance == null) {
            if (!Files.isDirectory(Path.of("/proc/self"))) {
                throw new IllegalStateException("process isolation needs Linux (/proc, SIGSTOP and SIGCONT)");
            }
            Path runtimeDirectory = locate(RUNTIME_PROPERTY, "TESTBED_LAMBDA_RUNTIME", "infra-tests/target/lambda-runtime",
                    "target/lambda-runtime");
            List<Path> jars;
            try (Stream<Path> files = Files.list(runtimeDirectory)) {
                jars = files.filter(path -> path.toString().endsWith(".jar")).sorted().toList();
            } catch (IOException e) {
                throw new UncheckedIOException("could not list " + runtimeDirectory, e);
            }
            if (jars.stream().noneMatch(jar -> jar.getFileName().toString().startsWith("aws-lambda-java-runtime-interface-client"))) {
                throw new IllegalStateException("no runtime interface client in " + runtimeDirectory
                        + ": run ./mvnw -DskipTests package");
            }
            Path functionJar = locate(FUNCTION_JAR_PROPERTY, "TESTBED_FUNCTION_JAR", "functions/target/functions.jar",
                    "../functions/target/functions.jar");
            Path client = jars.stream()
                    .filter(jar -> jar.getFileName().toString().startsWith("aws-lambda-java-runtime-interface-client"))
                    .findFirst().orElseThrow();
            instance = new ProcessRuntime(jars, functionJar, extractJni(client, runtimeDirectory));
        }
        return instance;
    }

    /** Whether process isolation can run here (Linux, the runtime client and functions.jar built). */
    public static Optional<String> unavailableReason() {
        try {
            get();
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** The runtime client's class path, as one -cp value. */
    String classPath() {
        return String.join(File.pathSeparator, classPath.stream().map(Path::toString).toList());
    }

    List<Path> classPathEntries() {
        return classPath;
    }

    /** Where archives made for these jars are kept ({@link AppCdsArchive}): beside them. */
    Path cacheDirectory() {
        return classPath.get(0).toAbsolutePath().getParent().resolve("cds");
    }

    /** The JVM flag that points the runtime client at the test bed's copy of its JNI library. */
    String jniOption() {
        return "-D" + JNI_PROPERTY + "=" + jniLibrary;
    }

    /**
     * The project's deployment package, functions.jar, unpacked (once per build of the jar): the working directory
     * and LAMBDA_TASK_ROOT of the project's functions' processes (read-only by convention).
     */
    public synchronized Path projectTaskRoot() {
        if (projectTaskRoot == null) {
            projectTaskRoot = unpack(functionJar);
        }
        return projectTaskRoot;
    }

    private static Path locate(String property, String variable, String... candidates) {
        String configured = System.getProperty(property, System.getenv(variable));
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured).toAbsolutePath().normalize();
            if (!Files.exists(path)) {
                throw new IllegalStateException(property + " names " + path + ", which does not exist");
            }
            return path;
        }
        List<Path> tried = new ArrayList<>();
        for (String candidate : candidates) {
            Path path = Path.of(candidate).toAbsolutePath().normalize();
            if (Files.exists(path)) {
                return path;
            }
            tried.add(path);
        }
        throw new IllegalStateException("process isolation needs " + candidates[0] + " (looked at " + tried
                + "; set -D" + property + "): run ./mvnw -DskipTests package first");
    }

    /**
     * Unpacks the package beside it ({@code functions.jar} into {@code functions-task-root/}), once per
     * build of the jar: a marker file records the jar's size and modification time, and a jar that changed
     * is unpacked again. (Unpacking 13 MB of classes takes seconds; every later JVM reuses the directory.)
     */
    private static Path unpack(Path jar) {
        String name = jar.getFileName().toString().replaceFirst("\\.jar$", "");
        return unpack(jar, jar.toAbsolutePath().resolveSibling(name + "-task-root"));
    }

    /**
     * Unpacks a deployment package, a jar or a zip, into {@code root} as Lambda unpacks one into /var/task, once per
     * version of the file (a marker records its size and modification time); entries that would land outside
     * {@code root} are refused.
     */
    public static Path unpack(Path jar, Path root) {
        try {
            String name = jar.getFileName().toString().replaceFirst("\\.(jar|zip)$", "");
            Path marker = root.resolve(".testbed-unpacked-from");
            String stamp = jar.toAbsolutePath() + " " + Files.size(jar) + " " + Files.getLastModifiedTime(jar).toMillis();
            if (Files.exists(marker) && Files.readString(marker).equals(stamp)) {
                return root;
            }
            if (Files.exists(root)) {
                delete(root);
            }
            Files.createDirectories(root.toAbsolutePath().getParent());
            Path staging = Files.createTempDirectory(root.toAbsolutePath().getParent(), name + "-unpacking-");
            try (ZipInputStream zip = new ZipInputStream(new BufferedInputStream(Files.newInputStream(jar),
                    1 << 16))) {
                ZipEntry entry;
                while ((entry = zip.getNextEntry()) != null) {
                    Path target = staging.resolve(entry.getName()).normalize();
                    if (!target.startsWith(staging)) {
                        throw new IOException("entry " + entry.getName() + " points outside the package");
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(target);
                    } else {
                        Files.createDirectories(target.getParent());
                        copy(zip, target);
                    }
                }
            }
            Files.writeString(staging.resolve(".testbed-unpacked-from"), stamp);
            try {
                Files.move(staging, root, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                delete(staging); // another JVM unpacked it meanwhile
                if (!Files.exists(marker)) {
                    throw raced;
                }
            }
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException("could not unpack " + jar + ": " + e.getMessage(), e);
        }
    }

    /** Copies the JNI library for this machine out of the client's jar, once, into the runtime directory. */
    private static Path extractJni(Path clientJar, Path runtimeDirectory) {
        String arch = System.getProperty("os.arch");
        String platform = Files.exists(Path.of("/etc/alpine-release")) ? "linux_musl" : "linux";
        String cpu = arch.equals("aarch64") || arch.equals("arm64") ? "aarch_64" : "x86_64";
        String name = "libaws-lambda-jni." + platform + "-" + cpu + ".so";
        Path target = runtimeDirectory.resolve("native").resolve(name);
        try {
            if (Files.exists(target) && Files.getLastModifiedTime(target).compareTo(Files.getLastModifiedTime(clientJar)) >= 0) {
                return target;
            }
            Files.createDirectories(target.getParent());
            try (ZipFile zip = new ZipFile(clientJar.toFile())) {
                ZipEntry entry = zip.getEntry("jni/" + name);
                if (entry == null) {
                    throw new IllegalStateException("the runtime interface client has no JNI library for " + platform
                            + "-" + cpu);
                }
                Path staging = Files.createTempFile(target.getParent(), name, ".tmp");
                try (InputStream in = zip.getInputStream(entry)) {
                    copy(in, staging);
                }
                Files.move(staging, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("could not copy the runtime client's JNI library: " + e.getMessage(), e);
        }
    }

    private static void copy(InputStream in, Path target) throws IOException {
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void delete(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is not worth failing the exit for
        }
    }
}
