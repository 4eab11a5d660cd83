package dev.lambdalab.db;

import com.zaxxer.hikari.HikariCredentialsProvider;
import com.zaxxer.hikari.util.Credentials;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * The DataSource HikariCP opens its connections through: pgjdbc's driver, the spec's URL and properties,
 * and a user and password asked from the credentials for every new connection (a password, the
 * secret's current password, a fresh IAM token).
 *
 * <p>Why not HikariCP's own {@code jdbcUrl} plus {@code credentialsProvider}: when a login is rejected
 * after a rotation, something has to read the secret again and retry. Here a rejected login (SQLState
 * 28P01 or 28000) asks {@link RefreshableCredentials} once; if the credentials changed, the connection
 * is retried once with them, inside the same connection attempt, so the request that met the rotation
 * still succeeds. The credentials decide how often they go back to their source.
 */
public final class CredentialsDataSource implements DataSource {

    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(CredentialsDataSource.class);

    private final String jdbcUrl;
    private final Supplier<Properties> driverProperties;
    private final HikariCredentialsProvider credentials;
    private final Driver driver = new org.postgresql.Driver();
    private volatile int loginTimeoutSeconds;

    /** Package-private: {@link ConnectionSpec} builds it. */
    CredentialsDataSource(String jdbcUrl, Supplier<Properties> driverProperties,
            HikariCredentialsProvider credentials) {
        this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        this.driverProperties = Objects.requireNonNull(driverProperties, "driverProperties");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
    }

    @Override
    public Connection getConnection() throws SQLException {
        try {
            return connect(credentials.getCredentials());
        } catch (SQLException rejected) {
            if (!isAuthenticationFailure(rejected)
                    || !(credentials instanceof RefreshableCredentials refreshable)) {
                throw rejected;
            }
            boolean changed;
            try {
                changed = refreshable.refreshAfterAuthenticationFailure();
            } catch (RuntimeException readFailed) {
                rejected.addSuppressed(readFailed);
                throw rejected;
            }
            if (!changed) {
                throw rejected; // HikariCP retries later; the handler's answer names AUTHENTICATION
            }
            LOG.warn("[env {}] login rejected ({} {}); the credentials changed (a rotation): retrying once",
                    ExecutionEnvironment.shortId(), rejected.getSQLState(), Redactor.redact(rejected.getMessage()));
            return connect(credentials.getCredentials());
        }
    }

    private Connection connect(Credentials login) throws SQLException {
        Properties properties = driverProperties.get(); // a fresh copy per connection
        properties.setProperty("user", login.getUsername());
        properties.setProperty("password", login.getPassword());
        if (loginTimeoutSeconds > 0 && !properties.containsKey("loginTimeout")) {
            // HikariCP passes its connectionTimeout here; pgjdbc bounds connect + TLS + authentication with it.
            properties.setProperty("loginTimeout", Integer.toString(loginTimeoutSeconds));
        }
        Connection connection = driver.connect(jdbcUrl, properties);
        if (connection == null) {
            throw new SQLException("pgjdbc does not accept the URL " + jdbcUrl, "08001");
        }
        return connection;
    }

    private static boolean isAuthenticationFailure(SQLException e) {
        String state = e.getSQLState();
        return "28P01".equals(state) || "28000".equals(state);
    }

    /** Not supported: the user and password always come from the credentials. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("CredentialsDataSource takes its user and password from "
                + credentials.getClass().getSimpleName() + ", not from the caller");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // pgjdbc logs through java.util.logging; nothing to set
    }

    @Override
    public void setLoginTimeout(int seconds) {
        this.loginTimeoutSeconds = Math.max(0, seconds);
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeoutSeconds;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("CredentialsDataSource has no java.util.logging parent logger");
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("CredentialsDataSource does not wrap a " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }

    /** Credentials masked. */
    @Override
    public String toString() {
        return "CredentialsDataSource{url=" + jdbcUrl + ", credentials=" + credentials + "}";
    }
}
