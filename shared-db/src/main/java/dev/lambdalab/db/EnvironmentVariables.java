package dev.lambdalab.db;

import java.util.Map;
import java.util.Objects;

/**
 * The environment variables of this execution environment.
 *
 * <p>In Lambda these are simply the process's variables, {@link System#getenv()}. The one seam is
 * {@link #overrideForThisClassLoader(Map)}: the test bed's emulator runs many execution environments
 * in one JVM, each with its own class loader and therefore its own copy of this class, and gives each
 * copy the variables its function would see in Lambda. Nothing in the handlers calls it.
 */
public final class EnvironmentVariables {

    private static volatile Map<String, String> override;

    private EnvironmentVariables() {
    }

    /** The variables: {@link System#getenv()} unless an emulator gave this class loader its own. */
    public static Map<String, String> current() {
        Map<String, String> variables = override;
        return variables != null ? variables : System.getenv();
    }

    /**
     * For emulators only: gives this copy of the class (one per execution-environment class loader)
     * the variables of the function it runs. Must be called before the handler class initialises.
     */
    public static void overrideForThisClassLoader(Map<String, String> variables) {
        override = Map.copyOf(Objects.requireNonNull(variables, "variables"));
    }
}
