package dev.lambdalab.testbed;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.lambdalab.testbed.label.Labelled;
import java.util.List;

/**
 * Which handler: the broken per-invocation pool, the fixed static pool sized for the environment's concurrency, the
 * fixed one with SnapStart's runtime hooks, or AWS's Managed Instances example, a static pool of HikariCP's defaults.
 */
public enum Variant implements Labelled {
    BROKEN("dev.lambdalab.functions.broken.BrokenHandler", "/broken", "broken"),
    FIXED("dev.lambdalab.functions.fixed.FixedHandler", "/fixed", "fixed"),
    /** The fixed handler made safe for SnapStart (only the SnapStart scenarios run it). */
    FIXED_SNAPSTART("dev.lambdalab.functions.snapstart.SnapStartFixedHandler", "/fixed-snapstart", "fixed-snapstart"),
    /** AWS's example for Managed Instances: one static pool with HikariCP's defaults (only the Managed Instances rows). */
    DEFAULT_POOL("dev.lambdalab.functions.managed.DefaultPoolHandler", "/default-pool", "default-pool");

    /** The Java release the handlers' jar is compiled for (the root pom's maven.compiler.release). */
    public static final int CLASS_FILE_RELEASE = 17;

    private final String handlerClass;
    private final String path;
    private final String label;

    Variant(String handlerClass, String path, String label) {
        this.handlerClass = handlerClass;
        this.path = path;
        this.label = label;
    }

    public String handlerClass() {
        return handlerClass;
    }

    /** The route template.yaml's HTTP API gives it. */
    public String path() {
        return path;
    }

    /** As flags, reports and the handler's own answers spell it. */
    @JsonValue
    @Override
    public String label() {
        return label;
    }

    /**
     * Whether it keeps one pool per environment (the fixed handlers): a request then waits for the pool's
     * connection, so a database refusal reaches the caller as a POOL_TIMEOUT with the refusal as its cause.
     */
    public boolean poolPerEnvironment() {
        return this != BROKEN;
    }

    /** The two that {@code testbed serve} routes and the reproduce matrix compares: broken and fixed. */
    public static List<Variant> pair() {
        return List.of(BROKEN, FIXED);
    }
}
