package dev.lambdalab.db;

import java.util.List;

/**
 * The rules of {@link DbSettings} that involve more than one setting, each message naming the settings, the
 * bad value and what is allowed. Run once every setting has parsed on its own.
 */
final class SettingRules {

    private SettingRules() {
    }

    static void check(DbSettings settings, List<String> problems) {
        AuthMode auth = settings.auth();
        switch (auth) {
            case PASSWORD -> password(settings, problems);
            case SECRETS_MANAGER -> secretsManager(settings, problems);
            case IAM -> iam(settings, problems);
            default -> throw new IllegalStateException(auth.toString());
        }
        endpoint(settings, auth, problems);
        timeouts(settings, problems);
        pool(settings, problems);
    }

    private static void password(DbSettings settings, List<String> problems) {
        if (settings.password().isEmpty()) {
            problems.add("DB_AUTH=password needs a password in DB_PASSWORD or DATABASE_URL"
                    + " (in AWS use DB_AUTH=secrets-manager or iam instead)");
        }
    }

    private static void secretsManager(DbSettings settings, List<String> problems) {
        if (settings.secretId().isEmpty()) {
            problems.add("DB_AUTH=secrets-manager needs DB_SECRET_ARN");
        }
        if (settings.origin(Setting.DB_USER) == Origin.VARIABLE) {
            problems.add("DB_USER is set but DB_AUTH=secrets-manager takes the user from the secret; remove DB_USER");
        }
        if (settings.password().isPresent()) {
            Origin origin = settings.origin(Setting.DB_PASSWORD);
            problems.add("DB_AUTH=secrets-manager takes the password from the secret, but a password is also set in "
                    + (origin == Origin.VARIABLE ? "DB_PASSWORD" : origin.toString()) + "; remove it");
        }
    }

    private static void iam(DbSettings settings, List<String> problems) {
        if (settings.user().isEmpty()) {
            problems.add("DB_AUTH=iam needs DB_USER (the role granted rds_iam)");
        }
        if (settings.region().isEmpty()) {
            problems.add("DB_AUTH=iam needs AWS_REGION to sign the token (Lambda sets it)");
        }
        if (!List.of("require", "verify-ca", "verify-full").contains(settings.sslMode())) {
            problems.add("DB_AUTH=iam needs DB_SSLMODE=require, verify-ca or verify-full"
                    + " (RDS accepts IAM tokens over TLS only), got \"" + settings.sslMode() + "\"");
        }
        if (settings.password().isPresent()) {
            problems.add("DB_AUTH=iam signs a token instead of a password, but a password is also set; remove it");
        }
    }

    /** Where to connect, and the settings that only one way of logging in reads. */
    private static void endpoint(DbSettings settings, AuthMode auth, List<String> problems) {
        if (auth != AuthMode.SECRETS_MANAGER) {
            if (settings.host().isEmpty()) {
                problems.add("DB_HOST is not set and DATABASE_URL gives no host: set one of them");
            }
            if (auth == AuthMode.PASSWORD && settings.user().isEmpty()) {
                problems.add("DB_USER is not set and DATABASE_URL gives no user: set one of them");
            }
        }
        if (settings.secretId().isPresent() && auth != AuthMode.SECRETS_MANAGER) {
            problems.add("DB_SECRET_ARN is set but DB_AUTH is " + auth.settingValue()
                    + "; set DB_AUTH=secrets-manager to use the secret");
        }
        if (settings.sslMode().equals("verify-full") && settings.sslRootCert().isEmpty()) {
            problems.add("DB_SSLMODE=verify-full needs DB_SSL_ROOT_CERT (the RDS CA bundle)");
        }
        if (settings.secretsManagerEndpoint().isPresent() && auth != AuthMode.SECRETS_MANAGER) {
            problems.add("AWS_ENDPOINT_URL_SECRETS_MANAGER is set but DB_AUTH is " + auth.settingValue()
                    + "; it only applies to DB_AUTH=secrets-manager");
        }
    }

    /** The query timeout must end a query before the socket timeout abandons it (pgjdbc cancels it cleanly). */
    private static void timeouts(DbSettings settings, List<String> problems) {
        int query = settings.queryTimeoutSeconds();
        int socket = settings.socketTimeoutSeconds();
        if (query > 0 && query >= socket) {
            problems.add("DB_QUERY_TIMEOUT_S must be 0 (off) or less than DB_SOCKET_TIMEOUT_S (" + socket
                    + "s), got \"" + query + "\"");
        }
    }

    /** HikariCP's own rules (HikariConfig.validateNumerics), checked here so they fail init with our wording. */
    private static void pool(DbSettings settings, List<String> problems) {
        if (settings.poolMinIdle() > settings.poolMaxSize()) {
            problems.add("POOL_MIN_IDLE must be at most POOL_MAX_SIZE (" + settings.poolMaxSize() + "), got \""
                    + settings.poolMinIdle() + "\"");
        }
        if (settings.poolValidationTimeoutMillis() >= settings.poolTimeoutMillis()) {
            problems.add("POOL_VALIDATION_TIMEOUT_MS must be less than POOL_TIMEOUT_MS ("
                    + settings.poolTimeoutMillis() + "ms), got \"" + settings.poolValidationTimeoutMillis() + "\"");
        }
        long maxLifetime = settings.poolMaxLifetimeMillis();
        if (settings.poolIdleTimeoutMillis() >= maxLifetime) {
            problems.add("POOL_IDLE_TIMEOUT_MS must be less than POOL_MAX_LIFETIME_MS (" + maxLifetime
                    + "ms), got \"" + settings.poolIdleTimeoutMillis() + "\"");
        }
        long keepalive = settings.poolKeepaliveMillis();
        if (keepalive != 0 && (keepalive < 30_000 || keepalive >= maxLifetime)) {
            problems.add("POOL_KEEPALIVE_MS must be 0 (off) or from 30000 to less than POOL_MAX_LIFETIME_MS ("
                    + maxLifetime + "ms), got \"" + keepalive + "\"");
        }
    }
}
