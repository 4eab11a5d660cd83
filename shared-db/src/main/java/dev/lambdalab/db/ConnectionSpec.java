package dev.lambdalab.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariCredentialsProvider;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * Where and how to connect: the JDBC URL, the pgjdbc properties and the credentials. It says nothing
 * about pooling, so the broken and the fixed handler share it and differ only in their pools.
 *
 * <p>Build it once per execution environment, during init: with Secrets Manager this reads the secret.
 */
public final class ConnectionSpec {

    /** pgjdbc's assumeMinServerVersion: 9.0 or higher puts the session settings in the startup packet. */
    public static final String ASSUME_MIN_SERVER_VERSION = "9.0";

    private final DbSettings settings;
    private final HikariCredentialsProvider credentials;
    private final String host;
    private final int port;
    private final String database;
    private final Optional<String> configuredApplicationName;

    private ConnectionSpec(DbSettings settings, HikariCredentialsProvider credentials, String host, int port,
            String database) {
        this.settings = settings;
        this.credentials = credentials;
        this.host = host;
        this.port = port;
        this.database = database;
        this.configuredApplicationName = settings.applicationName();
    }

    /** Reads the settings from this environment's variables and resolves the credentials they name. */
    public static ConnectionSpec fromEnvironment() {
        return create(DbSettings.fromEnvironment());
    }

    /**
     * Resolves the credentials the settings name: the password, the secret (read now, through AWS SDK
     * v2) or an IAM token signer.
     *
     * @throws CredentialsException when the secret cannot be read
     * @throws DbConfigurationException when neither the settings nor the secret give a host or user
     */
    public static ConnectionSpec create(DbSettings settings) {
        return switch (settings.auth()) {
            case PASSWORD -> new ConnectionSpec(settings,
                    new PasswordCredentials(settings.user().orElseThrow(), settings.password().orElseThrow()),
                    settings.host().orElseThrow(), settings.port(), settings.database());
            case SECRETS_MANAGER -> withSecret(settings, new SecretsManagerCredentials(settings.secretId().orElseThrow(),
                    SecretsManagerCredentials.awsSdkReader(settings, EnvironmentVariables.current())));
            case IAM -> new ConnectionSpec(settings,
                    new IamTokenCredentials(settings.host().orElseThrow(), settings.port(), settings.user().orElseThrow(),
                            IamTokenCredentials.awsSdkSigner(settings.region().orElseThrow(),
                                    EnvironmentVariables.current()), Clock.systemUTC(),
                            IamTokenCredentials.DEFAULT_REUSE),
                    settings.host().orElseThrow(), settings.port(), settings.database());
        };
    }

    /**
     * A spec whose credentials come from the given secret. Host, port and database come from the
     * settings when they set them (the fixed function points DB_HOST at the proxy, while the secret names
     * the instance), else from the secret.
     */
    public static ConnectionSpec withSecret(DbSettings settings, SecretsManagerCredentials credentials) {
        DatabaseSecret secret = credentials.secret();
        String host = settings.host().or(secret::host).orElseThrow(() -> new DbConfigurationException(
                "DB_HOST is not set and secret " + credentials.secretId() + " has no host: set DB_HOST", null));
        int port = settings.portIsExplicit() ? settings.port() : secret.port().orElse(settings.port());
        String database = settings.databaseIsExplicit() ? settings.database() : secret.dbname().orElse(settings.database());
        return new ConnectionSpec(settings, credentials, host, port, database);
    }

    public DbSettings settings() {
        return settings;
    }

    public HikariCredentialsProvider credentials() {
        return credentials;
    }

    public String jdbcUrl() {
        String hostPart = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + hostPart + ":" + port + "/" + database;
    }

    /**
     * application_name of every new connection: the function and the environment that holds it. Read at
     * each connection, not once: after a SnapStart restore the environment id is renewed
     * ({@link ExecutionEnvironment#renewAfterRestore()}), and the copies' connections must say so.
     */
    public String applicationName() {
        return configuredApplicationName.orElseGet(() -> defaultApplicationName(settings));
    }

    /** The pgjdbc properties, each with the reason it is set. */
    public Properties driverProperties() {
        Properties properties = new Properties();
        // Fail fast when the endpoint does not answer, instead of the kernel's minutes-long SYN retries.
        properties.setProperty("connectTimeout", Integer.toString(settings.connectTimeoutSeconds()));
        // Bound every read, so a dead peer or a stuck query ends well before the function timeout.
        properties.setProperty("socketTimeout", Integer.toString(settings.socketTimeoutSeconds()));
        // Let the kernel detect a peer that vanished (a proxy restart, a NAT that forgot the flow).
        properties.setProperty("tcpKeepAlive", Boolean.toString(settings.tcpKeepAlive()));
        // Name the function and the environment, so pg_stat_activity shows who holds each connection.
        properties.setProperty("ApplicationName", applicationName());
        properties.setProperty("sslmode", settings.sslMode());
        settings.sslRootCert().ifPresent(path -> properties.setProperty("sslrootcert", path));
        // 0 behind PgBouncer in transaction mode, where no server-side prepared statement survives a
        // transaction. RDS Proxy multiplexes the protocol's named statements, so the default suits it.
        properties.setProperty("prepareThreshold", Integer.toString(settings.prepareThreshold()));
        // Send application_name and extra_float_digits in the startup packet instead of as SET statements
        // after the login: RDS Proxy pins a session on any SET ("Avoiding pinning an RDS Proxy"), so without
        // this every connection would pin and nothing would be multiplexed. AWS's RDS Proxy guide
        // ("Considerations for connecting to PostgreSQL") recommends assumeMinServerVersion 9.0 or higher
        // for pgjdbc. It also saves two statements per new connection, each of which would wait for a
        // database connection at the proxy during a storm of cold starts (see LambdaPool's arithmetic).
        // DB_JDBC_PARAMS may override it (the fixed-proxy-pinned scenario does, to show the pin).
        properties.setProperty("assumeMinServerVersion", ASSUME_MIN_SERVER_VERSION);
        for (Map.Entry<String, String> extra : settings.jdbcParameters().entrySet()) {
            properties.setProperty(extra.getKey(), extra.getValue());
        }
        return properties;
    }

    /**
     * Where new connections come from: pgjdbc with this URL and these properties, and the credentials
     * asked at every new connection, read again once when the server rejects them (a rotated secret).
     */
    public DataSource dataSource() {
        return new CredentialsDataSource(jdbcUrl(), this::driverProperties, credentials);
    }

    /**
     * A HikariConfig with the connection part only: the {@link #dataSource()} and the pool name
     * {@code name-ENVIRONMENT}, so that HikariCP's log lines say which environment they come from. Every pool
     * setting keeps HikariCP's default; {@link LambdaPool} sets them for Lambda.
     */
    public HikariConfig hikariConfig(String name) {
        if (name == null || !name.matches("[A-Za-z0-9_-]{1,40}")) {
            throw new IllegalArgumentException("a pool name must be 1 to 40 letters, digits, '-' or '_', got "
                    + (name == null ? "null" : "\"" + name + "\""));
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName(name + "-" + ExecutionEnvironment.shortId());
        // A DataSource instead of jdbcUrl + credentialsProvider, so a rejected login can re-read the secret.
        config.setDataSource(dataSource());
        return config;
    }

    private static String defaultApplicationName(DbSettings settings) {
        String function = settings.functionName().orElse("local");
        String suffix = ":" + ExecutionEnvironment.shortId();
        int room = 63 - suffix.length(); // PostgreSQL keeps 63 bytes of application_name
        return (function.length() > room ? function.substring(0, room) : function) + suffix;
    }

    /** Settings and credentials, secrets masked. */
    @Override
    public String toString() {
        return "ConnectionSpec{url=" + jdbcUrl() + ", applicationName=" + applicationName() + ", credentials="
                + credentials + ", settings=" + settings + "}";
    }
}
