package dev.lambdalab.testbed.scenario;

/** Which handler: the broken per-invocation pool, or the fixed static pool of size 1. */
public enum Variant {
    BROKEN("dev.lambdalab.functions.broken.BrokenHandler", "/broken"),
    FIXED("dev.lambdalab.functions.fixed.FixedHandler", "/fixed");

    private final String handlerClass;
    private final String path;

    Variant(String handlerClass, String path) {
        this.handlerClass = handlerClass;
        this.path = path;
    }

    public String handlerClass() {
        return handlerClass;
    }

    /** The route template.yaml's HTTP API gives it. */
    public String path() {
        return path;
    }

    /** Lower case, as flags and reports spell it. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
