package dev.lambdalab.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;

/**
 * The role the functions log in as, kept apart from the database's master user: created, or brought up to date, over
 * an administrator's connection. Both the stack (its DatabaseSetup custom resource, at deploy) and the test bed (its
 * lab database, on every run) set the role up through this one class, so what runs in AWS is what the tests run.
 *
 * <p>What the role gets, and why:
 * <ul>
 *   <li>LOGIN and CONNECT on the one database, nothing else: a function that only reads and writes its own tables
 *       needs no more, and cannot create roles, databases or extensions if its credentials leak.</li>
 *   <li>Its password stored as a SCRAM-SHA-256 verifier computed here, on the client (pgjdbc's
 *       {@link PGConnection#alterUserPassword}): the clear-text password never travels in an SQL statement, where
 *       {@code log_statement} or {@code pg_stat_statements} could keep it. RDS Proxy logs in to the database with
 *       SCRAM (template.yaml's {@code ClientPasswordAuthType: POSTGRES_SCRAM_SHA_256}).</li>
 *   <li>Optionally a {@code CONNECTION LIMIT}: PostgreSQL's own budget per role, whose refusal is the
 *       {@code too many connections for role} (53300) this project is about.</li>
 * </ul>
 * Idempotent: CloudFormation may send a Create again after a timeout, and an Update sends the same role again.
 */
public final class ApplicationRole {

    /** Lower-case, unquoted PostgreSQL identifiers only (template.yaml's DbUsername pattern is narrower still). */
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final String name;
    private final String database;
    private final OptionalInt connectionLimit;

    private ApplicationRole(String name, String database, OptionalInt connectionLimit) {
        this.name = checkName("role", name);
        this.database = checkName("database", database);
        this.connectionLimit = connectionLimit;
        connectionLimit.ifPresent(limit -> {
            if (limit < 1) {
                throw new IllegalArgumentException("connection limit must be at least 1, got " + limit);
            }
        });
    }

    /**
     * The role {@code name}, allowed to connect to {@code database}, with no connection limit of its own.
     *
     * @throws IllegalArgumentException when a name is not a lower-case identifier
     */
    public static ApplicationRole of(String name, String database) {
        return new ApplicationRole(name, database, OptionalInt.empty());
    }

    /** The same role with PostgreSQL's CONNECTION LIMIT set to {@code limit} (at least 1). */
    public ApplicationRole withConnectionLimit(int limit) {
        return new ApplicationRole(name, database, OptionalInt.of(limit));
    }

    public String name() {
        return name;
    }

    /**
     * Creates the role if it does not exist, then sets LOGIN, the connection limit (none: -1), the password and the
     * CONNECT grant, whatever they were. Existing sessions of the role are left alone.
     *
     * @param admin a connection of a role that may create roles (RDS's master user, a superuser)
     * @param password the role's password; not kept
     * @throws SQLException from the database; its message never holds the password
     */
    public void ensure(Connection admin, char[] password) throws SQLException {
        Objects.requireNonNull(password, "password");
        if (password.length == 0) {
            throw new IllegalArgumentException("the password of role " + name + " must not be empty");
        }
        String role = quoted(name);
        try (Statement statement = admin.createStatement()) {
            statement.execute((exists(admin) ? "ALTER" : "CREATE") + " ROLE " + role + " LOGIN CONNECTION LIMIT "
                    + connectionLimit.orElse(-1));
            admin.unwrap(PGConnection.class).alterUserPassword(name, password, "scram-sha-256");
            statement.execute("GRANT CONNECT ON DATABASE " + quoted(database) + " TO " + role);
        }
    }

    private boolean exists(Connection admin) throws SQLException {
        try (PreparedStatement query = admin.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            query.setString(1, name);
            try (ResultSet result = query.executeQuery()) {
                return result.next();
            }
        }
    }

    /** Checked against {@link #NAME} first, so the quotes are only for PostgreSQL's reserved words. */
    private static String quoted(String identifier) {
        return "\"" + identifier + "\"";
    }

    private static String checkName(String what, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " name must be a lower-case identifier (a letter or '_', then"
                    + " letters, digits or '_', at most 63), got " + (value == null ? "null" : "\"" + value + "\""));
        }
        return value;
    }

    @Override
    public String toString() {
        return "ApplicationRole{" + name + " on " + database
                + connectionLimit.stream().mapToObj(limit -> ", connection limit " + limit).findFirst().orElse("") + "}";
    }
}
