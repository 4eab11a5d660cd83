package dev.lambdalab.testbed;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.lambdalab.testbed.label.Labelled;

/** Where the function connects: straight to the database, or through the proxy (PgBouncer as RDS Proxy). */
public enum Target implements Labelled {
    DIRECT,
    PROXY;

    @JsonValue
    @Override
    public String label() {
        return Labelled.of(this);
    }
}
