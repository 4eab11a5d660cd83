package dev.lambdalab.testbed.lambda.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Java runtime a process environment runs: the Lambda runtime it stands for ({@code java21}), the JDK on this
 * machine that runs it, and how closely the two match. Lambda's managed {@code javaN} runtime is a JDK N; here the
 * environment's JVM is the installed JDK N when there is one, else the nearest newer one, and the reports say which.
 *
 * @param lambdaRuntime the runtime of the function's template ({@code java17}, {@code java21}, {@code java25})
 * @param home the JDK's home
 * @param feature the JDK's feature release (21 for 21.0.5)
 */
public record JavaRuntime(String lambdaRuntime, Path home, int feature) {

    /** Variables naming a JDK for a runtime: {@code TESTBED_JDK_21=/opt/jdk-21}. */
    public static final String VARIABLE_PREFIX = "TESTBED_JDK_";

    private static final Pattern RUNTIME = Pattern.compile("java(\\d{1,2})(\\.al2)?");
    private static final Pattern RELEASE_VERSION = Pattern.compile("^JAVA_VERSION=\"(\\d+)(?:[.\"+-]|$)",
            Pattern.MULTILINE);

    public JavaRuntime {
        Objects.requireNonNull(lambdaRuntime, "lambdaRuntime");
        Objects.requireNonNull(home, "home");
    }

    /** This JVM, standing for the runtime the project's template names. */
    public static JavaRuntime current(String lambdaRuntime) {
        return new JavaRuntime(lambdaRuntime, Path.of(System.getProperty("java.home")), Runtime.version().feature());
    }

    /** The {@code java} command. */
    public Path java() {
        return home.resolve("bin").resolve("java");
    }

    /** The feature release the runtime name asks for: 21 for {@code java21}. */
    public int wanted() {
        return wantedFeature(lambdaRuntime).orElse(feature);
    }

    /** {@code java21 on JDK 21 (/usr/lib/jvm/...)}, or how it differs, for the reports. */
    public String describe() {
        String jdk = "JDK " + feature + " (" + home + ")";
        return lambdaRuntime + (feature == wanted() ? " on " + jdk : " emulated on " + jdk + ": no JDK " + wanted()
                + " here (install one, or name it in " + VARIABLE_PREFIX + wanted() + ")");
    }

    /** The JDK feature release a Lambda Java runtime name stands for, if it names one. */
    public static Optional<Integer> wantedFeature(String lambdaRuntime) {
        Matcher matcher = RUNTIME.matcher(lambdaRuntime == null ? "" : lambdaRuntime.strip().toLowerCase(Locale.ROOT));
        return matcher.matches() ? Optional.of(Integer.parseInt(matcher.group(1))) : Optional.empty();
    }

    /**
     * The JDK that runs {@code lambdaRuntime} here: the installed one of that feature release, else the nearest newer
     * one, else (when the function's classes allow it) this JVM's.
     *
     * @param classFileFeature the newest Java feature release the function's classes need (from their class files)
     * @throws IllegalArgumentException naming the runtime and what is installed, when no JDK can run the function
     */
    public static JavaRuntime forLambdaRuntime(String lambdaRuntime, int classFileFeature) {
        int wanted = wantedFeature(lambdaRuntime).orElseThrow(() -> new IllegalArgumentException("runtime "
                + lambdaRuntime + " is not a Java runtime: java17, java21 or java25"));
        List<JavaRuntime> installed = installed(lambdaRuntime);
        Optional<JavaRuntime> exact = installed.stream().filter(jdk -> jdk.feature == wanted).findFirst();
        if (exact.isPresent()) {
            return exact.get();
        }
        Optional<JavaRuntime> newer = installed.stream().filter(jdk -> jdk.feature > wanted)
                .min((a, b) -> Integer.compare(a.feature, b.feature));
        if (newer.isPresent()) {
            return newer.get();
        }
        JavaRuntime here = current(lambdaRuntime);
        if (here.feature >= classFileFeature) {
            return here;
        }
        throw new IllegalArgumentException(lambdaRuntime + " needs a JDK " + wanted + " or newer: the function's classes"
                + " are Java " + classFileFeature + " bytecode and this machine has " + installed.stream()
                .map(jdk -> "JDK " + jdk.feature).distinct().toList() + "; install one, or name it in "
                + VARIABLE_PREFIX + wanted);
    }

    /** The JDKs found here: this JVM's, JAVA_HOME, TESTBED_JDK_N and the usual install directories. */
    static List<JavaRuntime> installed(String lambdaRuntime) {
        Set<Path> homes = new LinkedHashSet<>();
        System.getenv().forEach((name, value) -> {
            if (name.startsWith(VARIABLE_PREFIX) && !value.isBlank()) {
                homes.add(Path.of(value));
            }
        });
        homes.add(Path.of(System.getProperty("java.home")));
        Optional.ofNullable(System.getenv("JAVA_HOME")).filter(value -> !value.isBlank()).map(Path::of)
                .ifPresent(homes::add);
        for (String root : List.of("/usr/lib/jvm", "/Library/Java/JavaVirtualMachines")) {
            try (Stream<Path> children = Files.list(Path.of(root))) {
                children.sorted().forEach(child -> {
                    homes.add(child);
                    homes.add(child.resolve("Contents").resolve("Home"));
                });
            } catch (IOException e) {
                // not there on this machine
            }
        }
        List<JavaRuntime> found = new ArrayList<>();
        Set<Path> seen = new LinkedHashSet<>();
        for (Path home : homes) {
            Path real;
            try {
                real = home.toRealPath();
            } catch (IOException e) {
                continue;
            }
            if (seen.add(real) && Files.isExecutable(real.resolve("bin").resolve("java"))) {
                feature(real).ifPresent(feature -> found.add(new JavaRuntime(lambdaRuntime, real, feature)));
            }
        }
        return found;
    }

    /** A JDK's feature release, from its {@code release} file. */
    private static Optional<Integer> feature(Path home) {
        try {
            Matcher matcher = RELEASE_VERSION.matcher(Files.readString(home.resolve("release")));
            return matcher.find() ? Optional.of(Integer.parseInt(matcher.group(1))) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
