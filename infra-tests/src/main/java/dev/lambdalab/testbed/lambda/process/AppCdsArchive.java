package dev.lambdalab.testbed.lambda.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An application class-data sharing archive per function package and handler (JEP 350, dynamic archives):
 * the classes a cold start loads (the runtime client, the handler, HikariCP, pgjdbc, ...) parsed and verified
 * once, then mapped by every environment's JVM, whose pages the kernel shares between them.
 *
 * <p>It is made by a training run: the environment's own command with {@code -XX:ArchiveClassesAtExit}, its
 * own variables, and a Runtime API address (and a database address) where nothing listens. The runtime client loads and constructs the
 * handler (init), fails to reach the Runtime API and exits; the JVM writes the archive as it exits. Made once
 * per package, JDK and handler (the file name is a digest of them), kept beside the runtime client's jars, and
 * used with {@code -Xshare:auto}, so a JVM that cannot map it starts as it would without.
 */
public final class AppCdsArchive {

    private static final Logger LOG = LoggerFactory.getLogger(AppCdsArchive.class);
    /** Nothing listens on port 1 of the loopback: the runtime client's first call fails at once. */
    private static final String NOWHERE = "127.0.0.1:1";
    private static final long TRAINING_TIMEOUT_S = 120;
    private static final Map<String, Optional<Path>> ARCHIVES = new ConcurrentHashMap<>();

    private AppCdsArchive() {
    }

    /**
     * The archive for this handler, made on first use (a few seconds, once); empty when it cannot be made, in
     * which case environments start without one.
     *
     * @param command the environment's command up to the main class and its argument, without archive flags
     * @param environment the environment's variables
     */
    static Optional<Path> forHandler(EnvironmentJvm jvm, List<String> command, Map<String, String> environment) {
        // Keyed by JDK, package and handler within this JVM: the digest (a walk of the package) is taken once, not at
        // every cold start.
        String within = jvm.java().home() + "|" + jvm.taskRoot() + "|" + jvm.handler();
        return ARCHIVES.computeIfAbsent(within, w -> obtain(jvm.runtime().cacheDirectory().resolve(key(jvm) + ".jsa"),
                command, environment, jvm.java().feature()));
    }

    private static Optional<Path> obtain(Path archive, List<String> command, Map<String, String> environment,
            int feature) {
        if (Files.isRegularFile(archive)) {
            return Optional.of(archive);
        }
        try {
            Files.createDirectories(archive.getParent());
            Path partial = Files.createTempFile(archive.getParent(), "training-", ".jsa");
            Files.delete(partial); // the JVM writes it
            Path output = Files.createTempFile(archive.getParent(), "training-", ".log");
            List<String> training = new ArrayList<>(command);
            training.add(1, (aheadOfTime(feature) ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=") + partial);
            ProcessBuilder builder = new ProcessBuilder(training).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.directory(Path.of(environment.getOrDefault("LAMBDA_TASK_ROOT", ".")).toFile());
            builder.environment().clear();
            builder.environment().putAll(environment);
            builder.environment().put("AWS_LAMBDA_RUNTIME_API", NOWHERE);
            if (environment.containsKey("DB_HOST")) {
                // Nor at the database's: the handler's pool then opens no connection a test would count.
                builder.environment().put("DB_HOST", "127.0.0.1");
                builder.environment().put("DB_PORT", "1");
            }
            long start = System.nanoTime();
            Process process = builder.start();
            if (!process.waitFor(TRAINING_TIMEOUT_S, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                LOG.warn("class-data sharing: the training run did not end within {} s; environments start without"
                        + " an archive (its output: {})", TRAINING_TIMEOUT_S, output);
                return Optional.empty();
            }
            if (!Files.isRegularFile(partial) || Files.size(partial) == 0) {
                LOG.warn("class-data sharing: the training run wrote no archive; environments start without one (its"
                        + " output: {})", output);
                return Optional.empty();
            }
            Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files.deleteIfExists(output);
            LOG.info("class-data sharing: archive {} made in {} ms ({} KB)", archive.getFileName(),
                    (System.nanoTime() - start) / 1_000_000, Files.size(archive) / 1024);
            return Optional.of(archive);
        } catch (IOException e) {
            LOG.warn("class-data sharing: no archive ({}); environments start without one", e.getMessage());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * Whether the environments' JDK has the ahead-of-time cache (JDK 25: JEP 483's classes loaded and linked,
     * JEP 514's one-step training, JEP 515's method profiles), which replaces the dynamic archive: more of a
     * cold start's work done once, in the training run.
     */
    static boolean aheadOfTime(int feature) {
        return feature >= 25;
    }

    /** The flag that maps the archive (or cache) in an environment's JVM of JDK {@code feature}. */
    static String useFlag(Path archive, int feature) {
        return (aheadOfTime(feature) ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=") + archive;
    }

    /** A digest of what the archive depends on: the JDK, the class path and the package's files, the handler. */
    private static String key(EnvironmentJvm jvm) {
        ProcessRuntime runtime = jvm.runtime();
        String handler = jvm.handler();
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            Path release = jvm.java().home().resolve("release");
            String jdk = jvm.java().home() + "|" + (Files.isRegularFile(release) ? Files.readString(release) : "");
            digest.update((jdk + "|" + runtime.classPath() + "|" + handler).getBytes(StandardCharsets.UTF_8));
            List<Path> files = new ArrayList<>(runtime.classPathEntries());
            try (Stream<Path> tree = Files.walk(jvm.taskRoot())) {
                tree.filter(Files::isRegularFile).sorted().forEach(files::add);
            }
            for (Path file : files) {
                digest.update((file + "|" + Files.size(file) + "|" + Files.getLastModifiedTime(file).toMillis())
                        .getBytes(StandardCharsets.UTF_8));
            }
            return "appcds-" + HexFormat.of().formatHex(digest.digest(), 0, 12);
        } catch (IOException | NoSuchAlgorithmException e) {
            return "appcds-" + Integer.toHexString((runtime.classPath() + handler).hashCode());
        }
    }
}
