package dev.lambdalab.testbed.scenario;

/** Where the function connects: straight to the database, or through the proxy (PgBouncer as RDS Proxy). */
public enum Target {
    DIRECT,
    PROXY;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
