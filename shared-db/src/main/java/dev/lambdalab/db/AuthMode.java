package dev.lambdalab.db;

import java.util.Arrays;

/** Where the database credentials come from ({@link Setting#DB_AUTH}). */
public enum AuthMode {
    /** A static password from DB_PASSWORD or DATABASE_URL. For local runs: a plain variable is not a secret store. */
    PASSWORD("password"),
    /** The RDS secret JSON from Secrets Manager, read once during init. */
    SECRETS_MANAGER("secrets-manager"),
    /** An RDS IAM authentication token, signed locally, fresh enough for every new connection. */
    IAM("iam");

    private final String settingValue;

    AuthMode(String settingValue) {
        this.settingValue = settingValue;
    }

    /** The value as DB_AUTH spells it. */
    public String settingValue() {
        return settingValue;
    }

    static String[] names() {
        return Arrays.stream(values()).map(AuthMode::settingValue).toArray(String[]::new);
    }

    static AuthMode fromSettingValue(String value) {
        for (AuthMode mode : values()) {
            if (mode.settingValue.equals(value)) {
                return mode;
            }
        }
        throw new IllegalArgumentException(value);
    }
}
