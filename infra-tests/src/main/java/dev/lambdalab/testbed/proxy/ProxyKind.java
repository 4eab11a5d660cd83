package dev.lambdalab.testbed.proxy;

import dev.lambdalab.testbed.label.Labelled;

/** Which proxy stands between the functions and PostgreSQL in the test bed. */
public enum ProxyKind implements Labelled {

    /**
     * The RDS Proxy emulator in the test bed's JVM (the default): RDS Proxy's pinning, texts, limits and
     * metrics; nothing to install.
     */
    RDS_PROXY("rds-proxy"),

    /**
     * PgBouncer in transaction mode, the real open-source pooler (Debian's package, or a container): no
     * pinning, its own texts; needs prepareThreshold=0.
     */
    PGBOUNCER("pgbouncer");

    private final String label;

    ProxyKind(String label) {
        this.label = label;
    }

    /** The name flags and reports use: {@code rds-proxy}, {@code pgbouncer}. */
    @Override
    public String label() {
        return label;
    }

    /**
     * The proxy with this label.
     *
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    public static ProxyKind fromLabel(String label) {
        return Labelled.parse(ProxyKind.class, "proxy", label);
    }
}
