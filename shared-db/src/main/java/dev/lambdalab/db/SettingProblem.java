package dev.lambdalab.db;

/**
 * A specific reason a value is not allowed, phrased to follow the variable's name:
 * {@code "has no host"}, {@code "parameter pool_timeout must be ..."}. It never quotes a secret.
 */
final class SettingProblem extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    SettingProblem(String message) {
        super(message);
    }
}
