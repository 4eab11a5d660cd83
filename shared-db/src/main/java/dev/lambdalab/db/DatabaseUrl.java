package dev.lambdalab.db;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A connection URL as readers of the Prisma docs know it,
 * {@code postgresql://user:pass@host:5432/db?connection_limit=1&pool_timeout=20&connect_timeout=10&pgbouncer=true&sslmode=require},
 * with each parameter mapped onto its HikariCP / pgjdbc twin:
 *
 * <table>
 *   <caption>Prisma parameter to setting</caption>
 *   <tr><th>Prisma</th><th>here</th><th>HikariCP / pgjdbc</th></tr>
 *   <tr><td>connection_limit</td><td>POOL_MAX_SIZE</td><td>maximumPoolSize</td></tr>
 *   <tr><td>pool_timeout (s)</td><td>POOL_TIMEOUT_MS (ms)</td><td>connectionTimeout</td></tr>
 *   <tr><td>connect_timeout (s)</td><td>DB_CONNECT_TIMEOUT_S</td><td>connectTimeout</td></tr>
 *   <tr><td>socket_timeout (s)</td><td>DB_SOCKET_TIMEOUT_S</td><td>socketTimeout</td></tr>
 *   <tr><td>pgbouncer=true</td><td>DB_PREPARE_THRESHOLD=0</td><td>prepareThreshold=0</td></tr>
 *   <tr><td>sslmode</td><td>DB_SSLMODE</td><td>sslmode</td></tr>
 *   <tr><td>sslrootcert</td><td>DB_SSL_ROOT_CERT</td><td>sslrootcert</td></tr>
 *   <tr><td>application_name</td><td>DB_APPLICATION_NAME</td><td>ApplicationName</td></tr>
 *   <tr><td>schema</td><td>DB_JDBC_PARAMS currentSchema</td><td>currentSchema</td></tr>
 * </table>
 *
 * <p>Prisma's {@code 0 = no timeout} is refused: in Lambda an endless wait ends as a function timeout.
 * A value of 0 for a timeout fails with a message that says so.
 */
public final class DatabaseUrl {

    /** The parameters this parser understands, in the order of the mapping table in docs/settings.md. */
    public static final List<String> PARAMETERS = List.of(
            "connection_limit", "pool_timeout", "connect_timeout", "socket_timeout", "pgbouncer",
            "sslmode", "sslrootcert", "application_name", "schema");

    private final String user;
    private final String password;
    private final String host;
    private final Integer port;
    private final String database;
    private final Map<Setting, String> settings;
    private final String currentSchema;
    private final String masked;

    private DatabaseUrl(String user, String password, String host, Integer port, String database,
            Map<Setting, String> settings, String currentSchema, String masked) {
        this.user = user;
        this.password = password;
        this.host = host;
        this.port = port;
        this.database = database;
        this.settings = settings;
        this.currentSchema = currentSchema;
        this.masked = masked;
    }

    /**
     * Parses a URL.
     *
     * @throws SettingProblem naming the part or parameter that is wrong; the message never contains
     *     the password
     */
    public static DatabaseUrl parse(String raw) {
        Objects.requireNonNull(raw, "raw");
        String rest;
        if (raw.startsWith("postgresql://")) {
            rest = raw.substring("postgresql://".length());
        } else if (raw.startsWith("postgres://")) {
            rest = raw.substring("postgres://".length());
        } else {
            throw new SettingProblem("must start with postgresql:// or postgres://");
        }
        String query = null;
        int questionMark = rest.indexOf('?');
        if (questionMark >= 0) {
            query = rest.substring(questionMark + 1);
            rest = rest.substring(0, questionMark);
        }
        String path = null;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            path = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
        }
        String user = null;
        String password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = userInfo.indexOf(':');
            if (colon >= 0) {
                user = decode(userInfo.substring(0, colon), "user");
                password = decode(userInfo.substring(colon + 1), "password");
            } else {
                user = decode(userInfo, "user");
            }
        }
        String host;
        Integer port = null;
        String portText = null;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new SettingProblem("has an IPv6 host without its closing ]");
            }
            host = rest.substring(1, close);
            if (rest.length() > close + 1) {
                if (rest.charAt(close + 1) != ':') {
                    throw new SettingProblem("has text after the IPv6 host that is not :PORT");
                }
                portText = rest.substring(close + 2);
            }
        } else {
            int colon = rest.lastIndexOf(':');
            if (colon >= 0) {
                portText = rest.substring(colon + 1);
                host = rest.substring(0, colon);
            } else {
                host = rest;
            }
        }
        if (host.isEmpty()) {
            throw new SettingProblem("has no host");
        }
        if (portText != null) {
            port = parseInt(portText, 1, 65535, "port", "");
        }
        String database = path == null || path.isEmpty() ? null : decode(path, "database");

        Map<Setting, String> settings = new EnumMap<>(Setting.class);
        String currentSchema = null;
        Map<String, String> parameters = query == null ? Map.of() : parameters(query);
        for (Map.Entry<String, String> parameter : parameters.entrySet()) {
            String name = parameter.getKey();
            String value = parameter.getValue();
            switch (name) {
                case "connection_limit" -> settings.put(Setting.POOL_MAX_SIZE,
                        Integer.toString(parseInt(value, 1, 1600, "parameter connection_limit", "")));
                case "pool_timeout" -> settings.put(Setting.POOL_TIMEOUT_MS,
                        Integer.toString(parseSeconds(value, 600, "pool_timeout") * 1000));
                case "connect_timeout" -> settings.put(Setting.DB_CONNECT_TIMEOUT_S,
                        Integer.toString(parseSeconds(value, 60, "connect_timeout")));
                case "socket_timeout" -> settings.put(Setting.DB_SOCKET_TIMEOUT_S,
                        Integer.toString(parseSeconds(value, 900, "socket_timeout")));
                case "pgbouncer" -> {
                    if (value.equals("true")) {
                        // PgBouncer in transaction mode cannot keep server-side prepared statements.
                        settings.put(Setting.DB_PREPARE_THRESHOLD, "0");
                    } else if (!value.equals("false")) {
                        throw new SettingProblem("parameter pgbouncer must be true or false, got \"" + value + "\"");
                    }
                }
                case "sslmode" -> settings.put(Setting.DB_SSLMODE, value);
                case "sslrootcert" -> settings.put(Setting.DB_SSL_ROOT_CERT, value);
                case "application_name" -> settings.put(Setting.DB_APPLICATION_NAME, value);
                case "schema" -> currentSchema = value;
                default -> throw new SettingProblem("has the unknown parameter " + name + " (allowed: "
                        + String.join(", ", PARAMETERS) + "; other pgjdbc properties go in DB_JDBC_PARAMS)");
            }
        }
        return new DatabaseUrl(user, password, host, port, database, Collections.unmodifiableMap(settings),
                currentSchema, mask(raw, password));
    }

    public String user() {
        return user;
    }

    /** The password, or {@code null}. Never logged: see {@link #toString()}. */
    String password() {
        return password;
    }

    public boolean hasPassword() {
        return password != null;
    }

    public String host() {
        return host;
    }

    /** The port, or {@code null} when the URL has none. */
    public Integer port() {
        return port;
    }

    /** The database, or {@code null} when the URL has none. */
    public String database() {
        return database;
    }

    /** The settings the URL's parameters stand for, as the variables would spell them. */
    public Map<Setting, String> settings() {
        return settings;
    }

    /** Prisma's {@code schema} parameter, or {@code null}. */
    public String currentSchema() {
        return currentSchema;
    }

    /** The URL with its password replaced by {@code ****}. */
    @Override
    public String toString() {
        return masked;
    }

    /** Masks the password of a URL of this form, even one that does not parse. */
    static String mask(String raw, String password) {
        int scheme = raw.indexOf("://");
        int at = raw.lastIndexOf('@');
        if (scheme >= 0 && at > scheme) {
            String userInfo = raw.substring(scheme + 3, at);
            int colon = userInfo.indexOf(':');
            if (colon >= 0) {
                return raw.substring(0, scheme + 3 + colon + 1) + "****" + raw.substring(at);
            }
            return raw;
        }
        return password == null ? raw : raw.replace(password, "****");
    }

    private static Map<String, String> parameters(String query) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), "parameter " + name);
            if (result.put(name, value) != null) {
                throw new SettingProblem("has the parameter " + name + " twice");
            }
        }
        return result;
    }

    private static int parseSeconds(String value, int max, String parameter) {
        if (value.trim().equals("0")) {
            throw new SettingProblem("parameter " + parameter + "=0 means \"wait forever\" in Prisma; in Lambda"
                    + " that ends as a function timeout, so it must be an integer from 1 to " + max + " (seconds)");
        }
        return parseInt(value, 1, max, "parameter " + parameter, " (seconds)");
    }

    private static int parseInt(String value, int min, int max, String what, String unit) {
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below with the allowed range
        }
        throw new SettingProblem(what + " must be an integer from " + min + " to " + max + unit
                + ", got \"" + value + "\"");
    }

    private static String decode(String text, String what) {
        try {
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new SettingProblem("has a badly percent-encoded " + what);
        }
    }
}
