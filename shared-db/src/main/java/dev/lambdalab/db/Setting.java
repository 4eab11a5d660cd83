package dev.lambdalab.db;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every environment variable the handlers read, in one place: name, default, allowed values and
 * meaning (modelled on pgjdbc's {@code PGProperty}). The enum constant's name <em>is</em> the
 * variable's name, so two settings cannot share a name and template.yaml, env.json, the test bed and
 * docs/settings.md all spell it the same way (tests check each of them against this list).
 *
 * <p>Precedence, highest first: the variable itself, then the matching part of {@link #DATABASE_URL},
 * then (for host, port and database with Secrets Manager) the secret, then the default.
 */
public enum Setting {

    DATABASE_URL(Scope.CONNECTION, null, Constraint.databaseUrl(), true,
            "Prisma-style URL; each part and parameter maps onto one of the settings below (see the mapping"
                    + " table). Local runs only: in AWS the password comes from Secrets Manager or IAM."),
    DB_HOST(Scope.CONNECTION, null,
            Constraint.matching("a host name or IP address", "[A-Za-z0-9._:\\-\\[\\]]{1,253}"), false,
            "Database or RDS Proxy endpoint. Required unless DATABASE_URL or the secret gives it."),
    DB_PORT(Scope.CONNECTION, "5432", Constraint.integer(1, 65535), false, "Port of the database or proxy."),
    DB_NAME(Scope.CONNECTION, "postgres", Constraint.text(63), false, "Name of the database to connect to."),
    DB_USER(Scope.CONNECTION, null, Constraint.text(63), false,
            "Database role. Required unless DATABASE_URL or the secret gives it."),
    DB_AUTH(Scope.CONNECTION, "password", Constraint.oneOf(AuthMode.names()), false,
            "Where credentials come from: password (DB_PASSWORD or DATABASE_URL, local runs only),"
                    + " secrets-manager (DB_SECRET_ARN, read once at init) or iam (an RDS IAM token per"
                    + " new connection)."),
    DB_PASSWORD(Scope.CONNECTION, null, Constraint.text(1024), true,
            "Password for DB_AUTH=password. Never set it in template.yaml: use Secrets Manager or IAM."),
    DB_SECRET_ARN(Scope.CONNECTION, null,
            Constraint.matching("a Secrets Manager secret ARN or name",
                    "(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\\d{12}:secret:[A-Za-z0-9/_+=.@-]+)"
                            + "|([A-Za-z0-9/_+=.@-]{1,512})"),
            false,
            "Secret with the RDS secret JSON (username, password, host, port, dbname), for"
                    + " DB_AUTH=secrets-manager."),
    DB_SSLMODE(Scope.CONNECTION, "prefer",
            Constraint.oneOf("disable", "allow", "prefer", "require", "verify-ca", "verify-full"), false,
            "pgjdbc sslmode. RDS Proxy requires TLS (require or stricter); verify-full also needs"
                    + " DB_SSL_ROOT_CERT."),
    DB_SSL_ROOT_CERT(Scope.CONNECTION, null, Constraint.text(1024), false,
            "Path of the CA bundle for verify-ca/verify-full, for example the RDS global bundle."),
    DB_CONNECT_TIMEOUT_S(Scope.CONNECTION, "3", Constraint.integer(1, 60), false,
            "pgjdbc connectTimeout: give up opening a TCP connection after this many seconds."),
    DB_SOCKET_TIMEOUT_S(Scope.CONNECTION, "12", Constraint.integer(1, 900), false,
            "pgjdbc socketTimeout: give up on a read after this many seconds. Above the longest query plus"
                    + " the proxy's ConnectionBorrowTimeout, below the function timeout."),
    DB_QUERY_TIMEOUT_S(Scope.CONNECTION, "10", Constraint.integer(0, 900), false,
            "Statement query timeout: after this many seconds pgjdbc sends PostgreSQL a cancel request and the"
                    + " query fails with 57014, leaving the connection usable. 0 turns it off. Below"
                    + " DB_SOCKET_TIMEOUT_S, which stays the backstop for a peer that stopped answering."),
    DB_PREPARE_THRESHOLD(Scope.CONNECTION, "5", Constraint.integer(0, 1000), false,
            "pgjdbc prepareThreshold. 0 turns server-side prepared statements off: PgBouncer 1.18 in transaction"
                    + " mode needs it. RDS Proxy multiplexes named statements, so the default works there; template.yaml"
                    + " sets 0 behind it anyway, since unnamed statements cannot pin whatever a proxy does with named"
                    + " ones, at the cost of a Parse per query."),
    DB_TCP_KEEPALIVE(Scope.CONNECTION, "true", Constraint.bool(), false,
            "pgjdbc tcpKeepAlive: let the kernel notice a peer that vanished."),
    DB_APPLICATION_NAME(Scope.CONNECTION, null, Constraint.text(63), false,
            "application_name shown in pg_stat_activity. Default: the function name and the execution"
                    + " environment id, so each connection names the environment that holds it."),
    DB_JDBC_PARAMS(Scope.CONNECTION, null, Constraint.jdbcParameters(JdbcParameters.RESERVED), true,
            "Other pgjdbc connection properties, for example loggerLevel=DEBUG. Not options=-c...: RDS"
                    + " Proxy refuses startup options, and a SET would pin the session."),
    AWS_ENDPOINT_URL_SECRETS_MANAGER(Scope.CONNECTION, null,
            Constraint.matching("an http or https URL", "https?://[A-Za-z0-9._~:/?#\\[\\]@!$&'()*+,;=%-]{1,2000}"),
            false,
            "Secrets Manager endpoint for DB_AUTH=secrets-manager: LocalStack's or the test bed's. Unset in"
                    + " AWS, where the SDK uses the regional endpoint (the VPC endpoint, by private DNS)."),

    POOL_MAX_SIZE(Scope.POOL, null, Constraint.integer(1, 1600), false,
            "maximumPoolSize. Default: the environment's concurrency, so every invocation in flight can hold a"
                    + " connection and none can hold more: 1 on classic Lambda, where an environment serves one"
                    + " request at a time; AWS_LAMBDA_MAX_CONCURRENCY on Lambda Managed Instances, whose threads"
                    + " share the pool. Set it lower only to fit a connection budget (testbed check computes it)."),
    POOL_MIN_IDLE(Scope.POOL, "1", Constraint.integer(0, 100), false,
            "minimumIdle, at most POOL_MAX_SIZE. Equal to it gives the fixed-size pool HikariCP"
                    + " recommends; the connection is opened in the background during init."),
    POOL_TIMEOUT_MS(Scope.POOL, "3000", Constraint.integer(250, 600_000), false,
            "connectionTimeout: how long getConnection() waits before failing. Keep it well below the"
                    + " function timeout so the caller gets a 503, not a Lambda timeout."),
    POOL_VALIDATION_TIMEOUT_MS(Scope.POOL, "2000", Constraint.integer(250, 600_000), false,
            "validationTimeout: how long the liveness check of an idle connection may take; below"
                    + " POOL_TIMEOUT_MS."),
    POOL_IDLE_TIMEOUT_MS(Scope.POOL, "60000", Constraint.integer(10_000, 86_400_000), false,
            "idleTimeout: retire connections idle this long when POOL_MIN_IDLE < POOL_MAX_SIZE; below"
                    + " POOL_MAX_LIFETIME_MS."),
    POOL_MAX_LIFETIME_MS(Scope.POOL, "600000", Constraint.integer(30_000, 86_400_000), false,
            "maxLifetime: retire every connection after this long. Below RDS Proxy's IdleClientTimeout,"
                    + " so the pool retires a connection before the proxy drops it."),
    POOL_KEEPALIVE_MS(Scope.POOL, "120000", Constraint.integer(0, 86_400_000), false,
            "keepaliveTime: ping idle connections this often (0 turns it off, else at least 30000 and"
                    + " below POOL_MAX_LIFETIME_MS)."),

    AWS_REGION(Scope.LAMBDA, null, Constraint.matching("an AWS region such as eu-west-1",
            "[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\\d"), false,
            "Set by Lambda. Region for Secrets Manager and for signing RDS IAM tokens."),
    AWS_LAMBDA_FUNCTION_NAME(Scope.LAMBDA, null, Constraint.text(140), false,
            "Set by Lambda. Part of the default application_name."),
    AWS_LAMBDA_LOG_STREAM_NAME(Scope.LAMBDA, null, Constraint.text(512), false,
            "Set by Lambda, one per execution environment. Its id becomes the environment id."),
    AWS_LAMBDA_MAX_CONCURRENCY(Scope.LAMBDA, null, Constraint.integer(1, 1600), false,
            "Set by Lambda on Managed Instances: how many invocations this environment runs at once, on threads"
                    + " sharing the handler (the function's PerExecutionEnvironmentMaxConcurrency). Unset on classic"
                    + " Lambda: one at a time.");

    /** Who reads a setting. */
    public enum Scope {
        /** How to reach the database: read by both handlers. */
        CONNECTION,
        /** How the pool behaves: the fixed handler's pool only; the broken one keeps HikariCP's defaults. */
        POOL,
        /** Set by the Lambda runtime, never by template.yaml. */
        LAMBDA
    }

    private final Scope scope;
    private final String defaultValue;
    private final Constraint constraint;
    private final boolean sensitive;
    private final String description;

    Setting(Scope scope, String defaultValue, Constraint constraint, boolean sensitive, String description) {
        this.scope = scope;
        this.defaultValue = defaultValue;
        this.constraint = constraint;
        this.sensitive = sensitive;
        this.description = description;
    }

    /** The environment variable's name. */
    public String variable() {
        return name();
    }

    public Scope scope() {
        return scope;
    }

    /** The default as the variable would spell it, or {@code null} when there is none. */
    public String defaultValue() {
        return defaultValue;
    }

    public Constraint constraint() {
        return constraint;
    }

    /** True when the value may hold a password or token: it is never echoed, only masked. */
    public boolean isSensitive() {
        return sensitive;
    }

    public String description() {
        return description;
    }

    // Typed reads, as pgjdbc's PGProperty.getInt(Properties): the catalogue says what each value is, so a reader
    // cannot cast it wrongly; a read that does not fit the setting's constraint fails at once, naming both.

    /** This setting's value among {@code values} as an int; the setting must be an integer one. */
    public int getInt(Map<Setting, ?> values) {
        return read(values, Integer.class);
    }

    /** This setting's value as a boolean; the setting must be a true-or-false one. */
    public boolean getBoolean(Map<Setting, ?> values) {
        return read(values, Boolean.class);
    }

    /** This setting's value as text, empty when unset; the setting must be a text one. */
    public Optional<String> getString(Map<Setting, ?> values) {
        return Optional.ofNullable(values.get(this) == null ? null : read(values, String.class));
    }

    /** This setting's parsed value of the given type ({@link DatabaseUrl}, a Map of pgjdbc properties), or null. */
    public <T> T get(Map<Setting, ?> values, Class<T> type) {
        return values.get(this) == null ? null : read(values, type);
    }

    private <T> T read(Map<Setting, ?> values, Class<T> type) {
        if (!type.isAssignableFrom(constraint.valueType())) {
            throw new IllegalStateException(name() + " holds " + constraint.valueType().getSimpleName()
                    + " values (" + constraint.allowed() + "), not " + type.getSimpleName());
        }
        Object value = values.get(this);
        if (value == null) {
            throw new IllegalStateException(name() + " has no value and no default");
        }
        return type.cast(value);
    }

    /** The settings template.yaml may set on a function (all but the ones Lambda sets itself). */
    public static Set<Setting> configurable() {
        java.util.EnumSet<Setting> result = java.util.EnumSet.allOf(Setting.class);
        result.removeIf(s -> s.scope == Scope.LAMBDA);
        return result;
    }

    /** The catalogue as a Markdown table, the one docs/settings.md carries (a test keeps them equal). */
    public static String markdownTable() {
        StringBuilder table = new StringBuilder();
        table.append("| Variable | Default | Allowed | Read by | Meaning |\n");
        table.append("|---|---|---|---|---|\n");
        for (Setting setting : values()) {
            table.append("| `").append(setting.variable()).append("` | ")
                    .append(setting.defaultValue == null ? "—" : "`" + setting.defaultValue + "`").append(" | ")
                    .append(setting.constraint.allowed().replace("|", "\\|")).append(" | ")
                    .append(switch (setting.scope) {
                        case CONNECTION -> "both";
                        case POOL -> "fixed";
                        case LAMBDA -> "Lambda sets it";
                    }).append(" | ")
                    .append(setting.description.replace("|", "\\|")).append(" |\n");
        }
        return table.toString();
    }
}
