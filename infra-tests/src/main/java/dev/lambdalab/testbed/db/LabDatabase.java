package dev.lambdalab.testbed.db;

import dev.lambdalab.db.ApplicationRole;
import dev.lambdalab.db.Redactor;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The lab's database on a server: database {@code lab}, the application role {@code app} with a
 * {@code CONNECTION LIMIT} (the small limit of a managed database), and a separate monitoring role
 * {@code lab_monitor} with its own slots, so that watching never takes the application's. Passwords
 * are random per run and never printed.
 *
 * <p>A user's SAM template names its own database and user ({@code DBName}, the secret's {@code username}); the
 * test bed then makes those ({@link Names}), the application role owning the database so that a schema script run as
 * it ({@link #runAsApplication}) leaves tables it can use.
 */
public final class LabDatabase {

    public static final String DATABASE = "lab";
    public static final String APP_ROLE = "app";
    public static final String MONITOR_ROLE = "lab_monitor";

    /**
     * The database and the application role: the lab's own ({@link #LAB}), or a template's.
     *
     * @param database the database's name
     * @param appRole the role the functions log in as
     */
    public record Names(String database, String appRole) {

        /**
         * The role that watches a template's database: not the lab's own, whose password the lab's LabDatabase
         * holds and a second one would change under it.
         */
        static final String TEMPLATE_MONITOR_ROLE = "testbed_monitor";

        // Before LAB, whose construction reads it.
        private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

        /** The lab's own: database {@code lab}, role {@code app}. */
        public static final Names LAB = new Names(DATABASE, APP_ROLE);

        public Names {
            for (String name : new String[] {database, appRole}) {
                if (name == null || !IDENTIFIER.matcher(name).matches()) {
                    throw new IllegalArgumentException("a database or role name must be a lower-case identifier of 1 to"
                            + " 63 letters, digits or '_', got \"" + name + "\"");
                }
            }
            if (appRole.equals(MONITOR_ROLE) || appRole.equals(TEMPLATE_MONITOR_ROLE)) {
                throw new IllegalArgumentException("the role " + appRole + " is the test bed's own");
            }
        }

        /** The monitoring role: the lab's {@code lab_monitor}, else {@value #TEMPLATE_MONITOR_ROLE}. */
        public String monitorRole() {
            return equals(LAB) ? MONITOR_ROLE : TEMPLATE_MONITOR_ROLE;
        }
    }

    private final PostgresServer server;
    private final Names names;
    private final String appPassword = randomPassword();
    private final String monitorPassword = randomPassword();
    private int appConnectionLimit;

    private LabDatabase(PostgresServer server, Names names) {
        this.server = server;
        this.names = names;
    }

    /** Creates (or resets) the database and roles, the application role limited to {@code appConnectionLimit}. */
    public static LabDatabase create(PostgresServer server, int appConnectionLimit) {
        return create(server, appConnectionLimit, Names.LAB);
    }

    /** The same with a template's database and role, the role owning the database. */
    public static LabDatabase create(PostgresServer server, int appConnectionLimit, Names names) {
        Objects.requireNonNull(server, "server");
        LabDatabase lab = new LabDatabase(server, Objects.requireNonNull(names, "names"));
        String database = names.database();
        String role = names.appRole();
        try (Connection admin = server.superuserConnection("postgres"); Statement statement = admin.createStatement()) {
            boolean created = !exists(admin, "SELECT 1 FROM pg_database WHERE datname = ?", database);
            if (created) {
                statement.execute("CREATE DATABASE " + database);
            }
            // The same class the stack's DatabaseSetup custom resource runs at deploy (template.yaml).
            ApplicationRole.of(role, database).withConnectionLimit(appConnectionLimit).ensure(admin,
                    lab.appPassword.toCharArray());
            if (created && !names.equals(Names.LAB)) {
                statement.execute("ALTER DATABASE " + database + " OWNER TO " + role);
            }
            String monitor = names.monitorRole();
            statement.execute(lab.roleStatement(admin, monitor, lab.monitorPassword, "CONNECTION LIMIT 10"));
            statement.execute("GRANT pg_monitor TO " + monitor); // sees every session in pg_stat_activity
            statement.execute("GRANT pg_signal_backend TO " + monitor);
            statement.execute("GRANT CONNECT ON DATABASE " + database + " TO " + role + ", " + monitor);
            statement.execute("ALTER ROLE " + role + " RESET ALL");
        } catch (SQLException e) {
            throw new IllegalStateException("could not set up the lab database on " + server.description() + ": "
                    + Redactor.redact(e.getMessage()), e);
        }
        if (!names.equals(Names.LAB)) {
            // A database that existed already (postgres, RDS's default) is not the role's: let it create its schema.
            try (Connection admin = server.superuserConnection(database); Statement statement = admin.createStatement()) {
                statement.execute("GRANT USAGE, CREATE ON SCHEMA public TO " + role);
            } catch (SQLException e) {
                throw new IllegalStateException("could not grant " + role + " its schema in " + database + ": "
                        + Redactor.redact(e.getMessage()), e);
            }
        }
        lab.appConnectionLimit = appConnectionLimit;
        return lab;
    }

    private String roleStatement(Connection admin, String role, String password, String options) throws SQLException {
        String verb = exists(admin, "SELECT 1 FROM pg_roles WHERE rolname = ?", role) ? "ALTER" : "CREATE";
        // Passwords are random base64url: no quote can break out of the literal.
        return verb + " ROLE " + role + " LOGIN PASSWORD '" + password + "' " + options;
    }

    private static boolean exists(Connection connection, String query, String name) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(query)) {
            statement.setString(1, name);
            try (ResultSet result = statement.executeQuery()) {
                return result.next();
            }
        }
    }

    private static String randomPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        String password = "lab-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Redactor.register(password);
        return password;
    }

    public PostgresServer server() {
        return server;
    }

    /** The database and the application role. */
    public Names names() {
        return names;
    }

    /**
     * Runs a script (a schema, test data) in the database as the application role, as a deploy's migrations would:
     * what it creates belongs to the role. Statements are split at semicolons outside quotes by the server.
     *
     * @throws IllegalStateException naming the file's first error
     */
    public void runAsApplication(String script, String source) {
        Properties properties = new Properties();
        properties.setProperty("user", names.appRole());
        properties.setProperty("password", appPassword);
        properties.setProperty("ApplicationName", "testbed-init");
        try (Connection connection = DriverManager.getConnection(server.jdbcUrl(names.database()), properties);
                Statement statement = connection.createStatement()) {
            statement.execute(script);
        } catch (SQLException e) {
            throw new IllegalStateException(source + " failed: " + Redactor.redact(String.valueOf(e.getMessage())), e);
        }
    }

    public String appPassword() {
        return appPassword;
    }

    public String monitorPassword() {
        return monitorPassword;
    }

    public int appConnectionLimit() {
        return appConnectionLimit;
    }

    /** Changes the application role's CONNECTION LIMIT; existing connections stay. */
    public void setAppConnectionLimit(int limit) {
        if (limit < 1 || limit > 10_000) {
            throw new IllegalArgumentException("appConnectionLimit must be from 1 to 10000, got " + limit);
        }
        admin("ALTER ROLE " + names.appRole() + " CONNECTION LIMIT " + limit);
        appConnectionLimit = limit;
    }

    /** A setting for every new session of the application role, such as idle_session_timeout. */
    public void setAppRoleSetting(String name, String value) {
        if (!name.matches("[a-z_]+") || !value.matches("[A-Za-z0-9_.]+")) {
            throw new IllegalArgumentException("setting must be name = simple value, got " + name + " = " + value);
        }
        admin("ALTER ROLE " + names.appRole() + " SET " + name + " = '" + value + "'");
    }

    /** Sets a new password for the application role (a rotation). */
    public void setAppPassword(String password) {
        if (!password.matches("[A-Za-z0-9_-]{8,100}")) {
            throw new IllegalArgumentException("password must be 8 to 100 letters, digits, '-' or '_'");
        }
        Redactor.register(password);
        admin("ALTER ROLE " + names.appRole() + " PASSWORD '" + password + "'");
    }

    /** The variables that point a function straight at the database (password auth: local runs only). */
    public Map<String, String> directEnvironment() {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("DB_HOST", server.host());
        environment.put("DB_PORT", Integer.toString(server.port()));
        environment.put("DB_NAME", names.database());
        environment.put("DB_USER", names.appRole());
        environment.put("DB_PASSWORD", appPassword);
        return environment;
    }

    /** Connections of the application role now, as pg_stat_activity shows them. */
    public int appConnections() {
        try (Connection connection = monitorConnection()) {
            return countAppConnections(connection, names.appRole());
        } catch (SQLException e) {
            throw new IllegalStateException("could not count connections: " + e.getMessage(), e);
        }
    }

    /** Connections of the lab's application role now, on the caller's monitoring connection. */
    public static int countAppConnections(Connection monitor) throws SQLException {
        return countAppConnections(monitor, APP_ROLE);
    }

    /** Connections of an application role now, on the caller's monitoring connection. */
    public static int countAppConnections(Connection monitor, String appRole) throws SQLException {
        try (PreparedStatement statement = monitor.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE usename = ? AND backend_type = 'client backend'")) {
            statement.setString(1, appRole);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getInt(1);
            }
        }
    }

    /**
     * Connections of the application role by function, from application_name ({@code lab-fixed:ENV} counts for
     * {@code lab-fixed}), on the caller's monitoring connection. A backend still starting (or being refused at the
     * role's limit) may not show its name yet: it counts under the empty name.
     */
    public static Map<String, Integer> countAppConnectionsByFunction(Connection monitor) throws SQLException {
        return countAppConnectionsByFunction(monitor, APP_ROLE);
    }

    /** The same for another application role (a user's template's). */
    public static Map<String, Integer> countAppConnectionsByFunction(Connection monitor, String appRole)
            throws SQLException {
        Map<String, Integer> counts = new LinkedHashMap<>();
        try (PreparedStatement statement = monitor.prepareStatement(
                "SELECT split_part(application_name, ':', 1), count(*) FROM pg_stat_activity"
                        + " WHERE usename = ? AND backend_type = 'client backend' GROUP BY 1")) {
            statement.setString(1, appRole);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    counts.put(rows.getString(1), rows.getInt(2));
                }
            }
        }
        return counts;
    }

    /**
     * Connections of one execution environment, by the application_name every connection carries
     * ({@code function:ENVIRONMENT}, the id's first 12 characters).
     */
    public int connectionsOfEnvironment(String environmentId) {
        try (Connection connection = monitorConnection(); PreparedStatement statement = connection.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE ?")) {
            statement.setString(1, "%:" + environmentId.substring(0, Math.min(12, environmentId.length())));
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not count connections: " + e.getMessage(), e);
        }
    }

    /** Ends every session of the application role (pg_terminate_backend); returns how many. */
    public int terminateAppConnections() {
        try (Connection connection = monitorConnection(); PreparedStatement statement = connection.prepareStatement(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = ?")) {
            statement.setString(1, names.appRole());
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not terminate connections: " + e.getMessage(), e);
        }
    }

    /** Waits until the application role has at most {@code atMost} connections; false on timeout. */
    public boolean awaitAppConnectionsAtMost(int atMost, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (appConnections() <= atMost) {
                return true;
            }
            Thread.sleep(25);
        }
        return appConnections() <= atMost;
    }

    /** A new connection as the monitoring role, which has slots of its own. */
    public Connection monitorConnection() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", names.monitorRole());
        properties.setProperty("password", monitorPassword);
        properties.setProperty("ApplicationName", "testbed-monitor");
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("socketTimeout", "10");
        return DriverManager.getConnection(server.jdbcUrl(names.database()), properties);
    }

    private void admin(String sql) {
        try (Connection admin = server.superuserConnection("postgres"); Statement statement = admin.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("could not run an admin statement: " + Redactor.redact(e.getMessage()), e);
        }
    }
}
