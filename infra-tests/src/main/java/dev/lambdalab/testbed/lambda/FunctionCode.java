package dev.lambdalab.testbed.lambda;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URI;
import java.net.URL;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The code of a function as the emulator loads it: the locations (class directories or jars) and the
 * packages that are the function's own. Each execution environment loads the own packages in its own
 * class loader, so their static fields (the fixed handler's pool, the environment id) belong to one
 * environment, as in Lambda where every environment is a separate process. Everything else (HikariCP,
 * pgjdbc, the AWS SDK, the Lambda interfaces) is shared between environments to keep a cold start
 * cheap; what that changes is written in docs/emulator.md ("What the class-loader isolation does not do").
 */
public final class FunctionCode {

    private final List<URL> locations;
    private final List<String> ownPackages;

    private FunctionCode(List<URL> locations, List<String> ownPackages) {
        if (locations.isEmpty()) {
            throw new IllegalArgumentException("locations must not be empty");
        }
        if (ownPackages.isEmpty()) {
            throw new IllegalArgumentException("ownPackages must not be empty");
        }
        this.locations = List.copyOf(locations);
        this.ownPackages = ownPackages.stream().map(p -> p.endsWith(".") ? p : p + ".").toList();
    }

    /**
     * The given packages, found on this JVM's class path (in a directory or a jar), as the function's own.
     *
     * @throws IllegalArgumentException when a package is not on the class path
     */
    public static FunctionCode ofPackages(String... packages) {
        Set<URL> locations = new LinkedHashSet<>();
        for (String pkg : packages) {
            locations.add(locationOf(Objects.requireNonNull(pkg, "package")));
        }
        return new FunctionCode(List.copyOf(locations), List.of(packages));
    }

    /** The project's functions and shared-db, the code functions.jar carries besides its libraries. */
    public static FunctionCode project() {
        return ofPackages("dev.lambdalab.functions", "dev.lambdalab.db");
    }

    List<URL> locations() {
        return locations;
    }

    boolean isOwn(String className) {
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
        return "FunctionCode{locations=" + locations + ", ownPackages=" + ownPackages + "}";
    }
}
