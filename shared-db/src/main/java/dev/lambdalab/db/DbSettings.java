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
    private final Map<Setting, Origin> origins;
    private final String password;
    private final Map<String, String> jdbcParameters;

    private DbSettings(Map<Setting, Object> values, Map<Setting, Origin> origins, String password,
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
        Map<Setting, Origin> origins = new EnumMap<>(Setting.class);

        // 1. The variables themselves.
        for (Setting setting : Setting.values()) {
            String raw = environment.get(setting.variable());
            if (raw == null || raw.isBlank()) {
                continue;
            }
            Object parsed = parse(setting, raw, setting.variable(), problems);
            if (parsed != null) {
                values.put(setting, parsed);
                origins.put(setting, Origin.VARIABLE);
            }
        }

        // 2. What DATABASE_URL says, for every setting its own variable left unset.
        DatabaseUrl url = Setting.DATABASE_URL.get(values, DatabaseUrl.class);
        String password = Setting.DB_PASSWORD.getString(values).orElse(null);
        Map<String, String> jdbcParameters = new LinkedHashMap<>(jdbcParameters(values));
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
                    origins.put(setting, Origin.DATABASE_URL);
                }
            }
            if (password == null && url.hasPassword()) {
                password = url.password();
                origins.put(Setting.DB_PASSWORD, Origin.DATABASE_URL);
            }
            if (url.currentSchema() != null) {
                jdbcParameters.putIfAbsent("currentSchema", url.currentSchema());
            }
        }

        // 3. Defaults.
        for (Setting setting : Setting.values()) {
            if (!values.containsKey(setting) && setting.defaultValue() != null) {
                values.put(setting, setting.constraint().parse(setting.defaultValue()));
                origins.put(setting, Origin.DEFAULT);
            }
        }

        DbSettings settings = new DbSettings(values, origins, password,
                Collections.unmodifiableMap(jdbcParameters));
        if (problems.isEmpty()) {
            SettingRules.check(settings, problems);
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

    public Optional<String> host() {
        return optional(Setting.DB_HOST);
    }

    public int port() {
        return Setting.DB_PORT.getInt(values);
    }

    /** True when DB_PORT (or the URL's port) was given, so that a secret's port must not replace it. */
    public boolean portIsExplicit() {
        return origin(Setting.DB_PORT) != Origin.DEFAULT;
    }

    public String database() {
        return Setting.DB_NAME.getString(values).orElseThrow();
    }

    /** True when DB_NAME (or the URL's database) was given, so that a secret's dbname must not replace it. */
    public boolean databaseIsExplicit() {
        return origin(Setting.DB_NAME) != Origin.DEFAULT;
    }

    public Optional<String> user() {
        return optional(Setting.DB_USER);
    }

    public AuthMode auth() {
        return AuthMode.fromSettingValue(Setting.DB_AUTH.getString(values).orElseThrow());
    }

    /** The password for {@link AuthMode#PASSWORD}. Package-private: only the credentials code sees it. */
    Optional<String> password() {
        return Optional.ofNullable(password);
    }

    public Optional<String> secretId() {
        return optional(Setting.DB_SECRET_ARN);
    }

    public String sslMode() {
        return Setting.DB_SSLMODE.getString(values).orElseThrow();
    }

    public Optional<String> sslRootCert() {
        return optional(Setting.DB_SSL_ROOT_CERT);
    }

    public int connectTimeoutSeconds() {
        return Setting.DB_CONNECT_TIMEOUT_S.getInt(values);
    }

    public int socketTimeoutSeconds() {
        return Setting.DB_SOCKET_TIMEOUT_S.getInt(values);
    }

    /** Seconds before pgjdbc cancels a statement (0: never). */
    public int queryTimeoutSeconds() {
        return Setting.DB_QUERY_TIMEOUT_S.getInt(values);
    }

    /** The Secrets Manager endpoint to use instead of the SDK's, for LocalStack or the test bed. */
    public Optional<String> secretsManagerEndpoint() {
        return optional(Setting.AWS_ENDPOINT_URL_SECRETS_MANAGER);
    }

    public int prepareThreshold() {
        return Setting.DB_PREPARE_THRESHOLD.getInt(values);
    }

    public boolean tcpKeepAlive() {
        return Setting.DB_TCP_KEEPALIVE.getBoolean(values);
    }

    public Optional<String> applicationName() {
        return optional(Setting.DB_APPLICATION_NAME);
    }

    /** Extra pgjdbc properties from DB_JDBC_PARAMS (and DATABASE_URL's schema). */
    public Map<String, String> jdbcParameters() {
        return jdbcParameters;
    }

    /**
     * maximumPoolSize: POOL_MAX_SIZE when it is given, else the environment's concurrency
     * ({@link #environmentConcurrency()}), so that each invocation in flight can hold one connection.
     */
    public int poolMaxSize() {
        return values.containsKey(Setting.POOL_MAX_SIZE) ? Setting.POOL_MAX_SIZE.getInt(values) : environmentConcurrency();
    }

    /**
     * How many invocations this execution environment runs at once: AWS_LAMBDA_MAX_CONCURRENCY, which Lambda sets
     * on Managed Instances ("Java runtime for Lambda Managed Instances": the function's
     * PerExecutionEnvironmentMaxConcurrency, as many runtime threads); 1 on classic Lambda, which does not set it.
     */
    public int environmentConcurrency() {
        return values.containsKey(Setting.AWS_LAMBDA_MAX_CONCURRENCY)
                ? Setting.AWS_LAMBDA_MAX_CONCURRENCY.getInt(values) : 1;
    }

    public int poolMinIdle() {
        return Setting.POOL_MIN_IDLE.getInt(values);
    }

    public long poolTimeoutMillis() {
        return Setting.POOL_TIMEOUT_MS.getInt(values);
    }

    public long poolValidationTimeoutMillis() {
        return Setting.POOL_VALIDATION_TIMEOUT_MS.getInt(values);
    }

    public long poolIdleTimeoutMillis() {
        return Setting.POOL_IDLE_TIMEOUT_MS.getInt(values);
    }

    public long poolMaxLifetimeMillis() {
        return Setting.POOL_MAX_LIFETIME_MS.getInt(values);
    }

    public long poolKeepaliveMillis() {
        return Setting.POOL_KEEPALIVE_MS.getInt(values);
    }

    public Optional<String> region() {
        return optional(Setting.AWS_REGION);
    }

    public Optional<String> functionName() {
        return optional(Setting.AWS_LAMBDA_FUNCTION_NAME);
    }

    /** Where a setting's value came from. */
    public Origin origin(Setting setting) {
        return origins.getOrDefault(setting, Origin.UNSET);
    }

    private Optional<String> optional(Setting setting) {
        return setting.getString(values);
    }

    private static Map<String, String> jdbcParameters(Map<Setting, Object> values) {
        @SuppressWarnings("unchecked") // the constraint's parser, JdbcParameters.parse, gives Map<String, String>
        Map<String, String> parsed = Setting.DB_JDBC_PARAMS.get(values, Map.class);
        return parsed == null ? Map.of() : parsed;
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
