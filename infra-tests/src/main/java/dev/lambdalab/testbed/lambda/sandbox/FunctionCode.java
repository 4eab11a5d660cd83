package dev.lambdalab.testbed.lambda.sandbox;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The code of a function as the emulator loads it. For the class-loader isolation: the locations (class directories
 * or jars) and the packages that are the function's own. Each execution environment loads the own packages in its
 * own class loader, so their static fields (the fixed handler's pool, the environment id) belong to one
 * environment, as in Lambda where every environment is a separate process. Everything else (HikariCP, pgjdbc, the
 * AWS SDK, the Lambda interfaces) is shared between environments to keep a cold start cheap; what that changes is
 * written in docs/emulator.md ("What the class-loader isolation does not do"). For the process isolation: the
 * unpacked deployment package (Lambda's /var/task), which every environment's JVM runs in.
 *
 * <p>A function deployed from its own package ({@link #deployed}), such as one read from a user's SAM template,
 * runs in process isolation only: its classes and libraries are its own, loaded by AWS's runtime client as
 * Lambda loads them, never mixed with the test bed's.
 */
public final class FunctionCode {

    private final List<URL> locations;
    private final List<String> ownPackages;
    private final Path deployedTaskRoot;
    private final String description;

    private FunctionCode(List<URL> locations, List<String> ownPackages, Path deployedTaskRoot, String description) {
        this.locations = List.copyOf(locations);
        this.ownPackages = ownPackages.stream().map(p -> p.endsWith(".") ? p : p + ".").toList();
        this.deployedTaskRoot = deployedTaskRoot;
        this.description = description;
    }

    /**
     * A deployment package of its own, unpacked at {@code taskRoot} as Lambda unpacks one into /var/task: the
     * handler's classes at its root or in {@code lib/*.jar}.
     *
     * @param description where it came from, for messages ({@code examples/orders-api/target/orders-api.jar})
     */
    public static FunctionCode deployed(Path taskRoot, String description) {
        Objects.requireNonNull(taskRoot, "taskRoot");
        return new FunctionCode(List.of(), List.of(), taskRoot, Objects.requireNonNull(description, "description"));
    }

    /** Whether this JVM can load it in a class loader per environment (the project's own code), not only run it. */
    public boolean loadableHere() {
        return !locations.isEmpty();
    }

    /**
     * The unpacked package a process environment runs in (Lambda's /var/task) when the function was deployed from its
     * own; empty for the project's packages, which run from the project's functions.jar (the process isolation's
     * {@code ProcessRuntime} unpacks it).
     */
    public Optional<Path> deployedTaskRoot() {
        return Optional.ofNullable(deployedTaskRoot);
    }

    public String description() {
        return description;
    }

    /**
     * The given packages, found on this JVM's class path (in a directory or a jar), as the function's own.
     *
     * @throws IllegalArgumentException when a package is not on the class path
     */
    public static FunctionCode ofPackages(String... packages) {
        if (packages.length == 0) {
            throw new IllegalArgumentException("packages must not be empty");
        }
        Set<URL> locations = new LinkedHashSet<>();
        for (String pkg : packages) {
            locations.add(locationOf(Objects.requireNonNull(pkg, "package")));
        }
        // In process isolation: the project's package, functions.jar, which carries these packages and their libraries.
        return new FunctionCode(List.copyOf(locations), List.of(packages), null, String.join(", ", packages));
    }

    /** The project's functions and shared-db, the code functions.jar carries besides its libraries. */
    public static FunctionCode project() {
        return ofPackages("dev.lambdalab.functions", "dev.lambdalab.db");
    }

    public List<URL> locations() {
        return locations;
    }

    public boolean isOwn(String className) {
        for (String prefix : ownPackages) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static URL locationOf(String pkg) {
        String path = pkg.replace('.', '/');
        URL resource = FunctionCode.class.getClassLoader().getResource(path);
        if (resource == null) {
            throw new IllegalArgumentException("package " + pkg + " is not on the class path");
        }
        try {
            if (resource.getProtocol().equals("jar")) {
                return ((JarURLConnection) resource.openConnection()).getJarFileURL();
            }
            String text = resource.toExternalForm();
            return URI.create(text.substring(0, text.length() - path.length())).toURL();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot locate package " + pkg + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "FunctionCode{" + description + (locations.isEmpty() ? "" : ", locations=" + locations) + "}";
    }
}
