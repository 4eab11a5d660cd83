package dev.lambdalab.db;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The validated settings of one execution environment, read once during init from the environment
 * variables listed in {@link Setting}. Every problem is reported at once, in one
 * {@link DbConfigurationException}; nothing here ever surfaces as a NumberFormatException or a
 * NullPointerException, and no password appears in a message or in {@link #toString()}.
 */
public final class DbSettings {

    private static final String MASK = "****";

    private final Map<Setting, Object> values;
    private final Map<Setting, String> origins;
    private final String password;
    private final Map<String, String> jdbcParameters;

    private DbSettings(Map<Setting, Object> values, Map<Setting, String> origins, String password,
            Map<String, String> jdbcParameters) {
        this.values = values;
        this.origins = origins;
        this.password = password;
        this.jdbcParameters = jdbcParameters;
    }

    /** Reads the settings from this execution environment's variables. Call it once, during init. */
    public static DbSettings fromEnvironment() {
        return from(EnvironmentVariables.current());
    }

    /**
     * Reads and validates the settings from the given variables.
     *
     * @throws DbConfigurationException naming every missing or invalid setting
     */
    public static DbSettings from(Map<String, String> environment) {
        Objects.requireNonNull(environment, "environment");
        List<String> problems = new ArrayList<>();
        Map<Setting, Object> values = new EnumMap<>(Setting.class);
        Map<Setting, String> origins = new EnumMap<>(Setting.class);

        // 1. The variables themselves.
        for (Setting setting : Setting.values()) {
            String raw = environment.get(setting.variable());
            if (raw == null || raw.isBlank()) {
                continue;
            }
            Object parsed = parse(setting, raw, setting.variable(), problems);
            if (parsed != null) {
                values.put(setting, parsed);
                origins.put(setting, "variable");
            }
        }

        // 2. What DATABASE_URL says, for every setting its own variable left unset.
        DatabaseUrl url = (DatabaseUrl) values.get(Setting.DATABASE_URL);
        String password = (String) values.get(Setting.DB_PASSWORD);
        Map<String, String> jdbcParameters = new LinkedHashMap<>(
                jdbcParametersOrEmpty(values.get(Setting.DB_JDBC_PARAMS)));
        if (url != null) {
            Map<Setting, String> fromUrl = new EnumMap<>(Setting.class);
            fromUrl.putAll(url.settings());
            putIfPresent(fromUrl, Setting.DB_HOST, url.host());
            putIfPresent(fromUrl, Setting.DB_PORT, url.port() == null ? null : url.port().toString());
            putIfPresent(fromUrl, Setting.DB_NAME, url.database());
            putIfPresent(fromUrl, Setting.DB_USER, url.user());
            for (Map.Entry<Setting, String> entry : fromUrl.entrySet()) {
                Setting setting = entry.getKey();
                if (values.containsKey(setting)) {
                    continue; // the variable wins over the URL
                }
                Object parsed = parse(setting, entry.getValue(), "DATABASE_URL's value for " + setting.variable(),
                        problems);
                if (parsed != null) {
                    values.put(setting, parsed);
                    origins.put(setting, "DATABASE_URL");
                }
            }
            if (password == null && url.hasPassword()) {
                password = url.password();
                origins.put(Setting.DB_PASSWORD, "DATABASE_URL");
            }
            if (url.currentSchema() != null) {
                jdbcParameters.putIfAbsent("currentSchema", url.currentSchema());
            }
        }

        // 3. Defaults.
        for (Setting setting : Setting.values()) {
            if (!values.containsKey(setting) && setting.defaultValue() != null) {
                values.put(setting, setting.constraint().parse(setting.defaultValue()));
                origins.put(setting, "default");
            }
        }

        DbSettings settings = new DbSettings(values, origins, password,
                Collections.unmodifiableMap(jdbcParameters));
        if (problems.isEmpty()) {
            settings.checkCombinations(problems);
        }
        if (!problems.isEmpty()) {
            throw new DbConfigurationException(problems);
        }
        return settings;
    }

    private static Object parse(Setting setting, String raw, String source, List<String> problems) {
        try {
            return setting.constraint().parse(raw);
        } catch (SettingProblem problem) {
            String where = setting == Setting.DATABASE_URL ? " (the URL was \"" + DatabaseUrl.mask(raw, null) + "\")" : "";
            problems.add(source + " " + problem.getMessage() + where);
        } catch (IllegalArgumentException invalid) {
            String shown = setting.isSensitive() ? "a value that is not shown because it may be secret"
                    : "\"" + raw + "\"";
            problems.add(source + " must be " + setting.constraint().allowed() + ", got " + shown);
        }
        return null;
    }

    /** Rules that involve more than one setting. */
    private void checkCombinations(List<String> problems) {
        AuthMode auth = auth();
        boolean passwordGiven = password != null;
        switch (auth) {
            case PASSWORD -> {
                if (!passwordGiven) {
                    problems.add("DB_AUTH=password needs a password in DB_PASSWORD or DATABASE_URL"
                            + " (in AWS use DB_AUTH=secrets-manager or iam instead)");
                }
            }
            case SECRETS_MANAGER -> {
                if (secretId().isEmpty()) {
                    problems.add("DB_AUTH=secrets-manager needs DB_SECRET_ARN");
                }
                if ("variable".equals(origins.get(Setting.DB_USER))) {
                    problems.add("DB_USER is set but DB_AUTH=secrets-manager takes the user from the secret;"
                            + " remove DB_USER");
                }
                if (passwordGiven) {
                    problems.add("DB_AUTH=secrets-manager takes the password from the secret, but a password"
                            + " is also set in " + origins.get(Setting.DB_PASSWORD).replace("variable", "DB_PASSWORD")
                            + "; remove it");
                }
            }
            case IAM -> {
                if (user().isEmpty()) {
                    problems.add("DB_AUTH=iam needs DB_USER (the role granted rds_iam)");
                }
                if (region().isEmpty()) {
                    problems.add("DB_AUTH=iam needs AWS_REGION to sign the token (Lambda sets it)");
                }
                if (!List.of("require", "verify-ca", "verify-full").contains(sslMode())) {
                    problems.add("DB_AUTH=iam needs DB_SSLMODE=require, verify-ca or verify-full"
                            + " (RDS accepts IAM tokens over TLS only), got \"" + sslMode() + "\"");
                }
                if (passwordGiven) {
                    problems.add("DB_AUTH=iam signs a token instead of a password, but a password is also set;"
                            + " remove it");
                }
            }
            default -> throw new IllegalStateException(auth.toString());
        }
        if (auth != AuthMode.SECRETS_MANAGER) {
            if (host().isEmpty()) {
                problems.add("DB_HOST is not set and DATABASE_URL gives no host: set one of them");
            }
            if (auth == AuthMode.PASSWORD && user().isEmpty()) {
                problems.add("DB_USER is not set and DATABASE_URL gives no user: set one of them");
            }
        }
        if (secretId().isPresent() && auth != AuthMode.SECRETS_MANAGER) {
            problems.add("DB_SECRET_ARN is set but DB_AUTH is " + auth.settingValue()
                    + "; set DB_AUTH=secrets-manager to use the secret");
        }
        if (sslMode().equals("verify-full") && sslRootCert().isEmpty()) {
            problems.add("DB_SSLMODE=verify-full needs DB_SSL_ROOT_CERT (the RDS CA bundle)");
        }
        if (queryTimeoutSeconds() > 0 && queryTimeoutSeconds() >= socketTimeoutSeconds()) {
            problems.add("DB_QUERY_TIMEOUT_S must be 0 (off) or less than DB_SOCKET_TIMEOUT_S ("
                    + socketTimeoutSeconds() + "s), got \"" + queryTimeoutSeconds() + "\"");
        }
        if (secretsManagerEndpoint().isPresent() && auth != AuthMode.SECRETS_MANAGER) {
            problems.add("AWS_ENDPOINT_URL_SECRETS_MANAGER is set but DB_AUTH is " + auth.settingValue()
                    + "; it only applies to DB_AUTH=secrets-manager");
        }
        if (poolMinIdle() > poolMaxSize()) {
            problems.add("POOL_MIN_IDLE must be at most POOL_MAX_SIZE (" + poolMaxSize() + "), got \""
                    + poolMinIdle() + "\"");
        }
        if (poolValidationTimeoutMillis() >= poolTimeoutMillis()) {
            problems.add("POOL_VALIDATION_TIMEOUT_MS must be less than POOL_TIMEOUT_MS (" + poolTimeoutMillis()
                    + "ms), got \"" + poolValidationTimeoutMillis() + "\"");
        }
        if (poolIdleTimeoutMillis() >= poolMaxLifetimeMillis()) {
            problems.add("POOL_IDLE_TIMEOUT_MS must be less than POOL_MAX_LIFETIME_MS (" + poolMaxLifetimeMillis()
                    + "ms), got \"" + poolIdleTimeoutMillis() + "\"");
        }
        long keepalive = poolKeepaliveMillis();
        if (keepalive != 0 && (keepalive < 30_000 || keepalive >= poolMaxLifetimeMillis())) {
            problems.add("POOL_KEEPALIVE_MS must be 0 (off) or from 30000 to less than POOL_MAX_LIFETIME_MS ("
                    + poolMaxLifetimeMillis() + "ms), got \"" + keepalive + "\"");
        }
    }

    public Optional<String> host() {
        return optional(Setting.DB_HOST);
    }

    public int port() {
        return (Integer) values.get(Setting.DB_PORT);
    }

    /** True when DB_PORT (or the URL's port) was given, so that a secret's port must not replace it. */
    public boolean portIsExplicit() {
        return !"default".equals(origins.get(Setting.DB_PORT));
    }

    public String database() {
        return (String) values.get(Setting.DB_NAME);
    }

    /** True when DB_NAME (or the URL's database) was given, so that a secret's dbname must not replace it. */
    public boolean databaseIsExplicit() {
        return !"default".equals(origins.get(Setting.DB_NAME));
    }

    public Optional<String> user() {
        return optional(Setting.DB_USER);
    }

    public AuthMode auth() {
        return AuthMode.fromSettingValue((String) values.get(Setting.DB_AUTH));
    }

    /** The password for {@link AuthMode#PASSWORD}. Package-private: only the credentials code sees it. */
    Optional<String> password() {
        return Optional.ofNullable(password);
    }

    public Optional<String> secretId() {
        return optional(Setting.DB_SECRET_ARN);
    }

    public String sslMode() {
        return (String) values.get(Setting.DB_SSLMODE);
    }

    public Optional<String> sslRootCert() {
        return optional(Setting.DB_SSL_ROOT_CERT);
    }

    public int connectTimeoutSeconds() {
        return (Integer) values.get(Setting.DB_CONNECT_TIMEOUT_S);
    }

    public int socketTimeoutSeconds() {
        return (Integer) values.get(Setting.DB_SOCKET_TIMEOUT_S);
    }

    /** Seconds before pgjdbc cancels a statement (0: never). */
    public int queryTimeoutSeconds() {
        return (Integer) values.get(Setting.DB_QUERY_TIMEOUT_S);
    }

    /** The Secrets Manager endpoint to use instead of the SDK's, for LocalStack or the test bed. */
    public Optional<String> secretsManagerEndpoint() {
        return optional(Setting.AWS_ENDPOINT_URL_SECRETS_MANAGER);
    }

    public int prepareThreshold() {
        return (Integer) values.get(Setting.DB_PREPARE_THRESHOLD);
    }

    public boolean tcpKeepAlive() {
        return (Boolean) values.get(Setting.DB_TCP_KEEPALIVE);
    }

    public Optional<String> applicationName() {
        return optional(Setting.DB_APPLICATION_NAME);
    }

    /** Extra pgjdbc properties from DB_JDBC_PARAMS (and DATABASE_URL's schema). */
    public Map<String, String> jdbcParameters() {
        return jdbcParameters;
    }

    public int poolMaxSize() {
        return (Integer) values.get(Setting.POOL_MAX_SIZE);
    }

    public int poolMinIdle() {
        return (Integer) values.get(Setting.POOL_MIN_IDLE);
    }

    public long poolTimeoutMillis() {
        return (Integer) values.get(Setting.POOL_TIMEOUT_MS);
    }

    public long poolValidationTimeoutMillis() {
        return (Integer) values.get(Setting.POOL_VALIDATION_TIMEOUT_MS);
    }

    public long poolIdleTimeoutMillis() {
        return (Integer) values.get(Setting.POOL_IDLE_TIMEOUT_MS);
    }

    public long poolMaxLifetimeMillis() {
        return (Integer) values.get(Setting.POOL_MAX_LIFETIME_MS);
    }

    public long poolKeepaliveMillis() {
        return (Integer) values.get(Setting.POOL_KEEPALIVE_MS);
    }

    public Optional<String> region() {
        return optional(Setting.AWS_REGION);
    }

    public Optional<String> functionName() {
        return optional(Setting.AWS_LAMBDA_FUNCTION_NAME);
    }

    /** Where a setting's value came from: {@code variable}, {@code DATABASE_URL}, {@code default} or unset. */
    public String origin(Setting setting) {
        return origins.getOrDefault(setting, "unset");
    }

    private Optional<String> optional(Setting setting) {
        return Optional.ofNullable((String) values.get(setting));
    }

    private static Map<String, String> jdbcParametersOrEmpty(Object parsed) {
        if (parsed == null) {
            return Map.of();
        }
        @SuppressWarnings("unchecked") // JdbcParameters.parse returns Map<String, String>
        Map<String, String> map = (Map<String, String>) parsed;
        return map;
    }

    private static void putIfPresent(Map<Setting, String> map, Setting setting, String value) {
        if (value != null) {
            map.put(setting, value);
        }
    }

    /**
     * Every setting with its value and origin, one per line; secrets masked, as HikariCP's own
     * configuration dump does.
     */
    @Override
    public String toString() {
        StringBuilder dump = new StringBuilder("DbSettings{");
        String separator = "";
        for (Setting setting : Setting.values()) {
            Object value = setting == Setting.DB_PASSWORD ? password : values.get(setting);
            if (value == null) {
                continue;
            }
            String shown;
            if (setting == Setting.DATABASE_URL) {
                shown = value.toString(); // DatabaseUrl.toString() masks the password
            } else if (setting.isSensitive()) {
                shown = MASK;
            } else {
                shown = value.toString();
            }
            dump.append(separator).append(setting.variable()).append('=').append(shown)
                    .append(" (").append(origin(setting)).append(')');
            separator = ", ";
        }
        return dump.append('}').toString();
    }
}
