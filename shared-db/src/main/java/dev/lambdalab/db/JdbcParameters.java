package dev.lambdalab.db;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.postgresql.PGProperty;

/**
 * Extra pgjdbc connection properties ({@link Setting#DB_JDBC_PARAMS}), checked against pgjdbc's own
 * catalogue so that a typo fails initialisation instead of being ignored by the driver.
 */
final class JdbcParameters {

    /**
     * Properties this project sets from its own settings. Setting them here as well would give one
     * knob two names, so they are refused.
     */
    static final Set<String> RESERVED = Set.of(
            "user", "password", "sslmode", "sslrootcert", "connectTimeout", "socketTimeout",
            "prepareThreshold", "tcpKeepAlive", "ApplicationName");

    private JdbcParameters() {
    }

    static Map<String, String> parse(String raw, Set<String> reserved) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new SettingProblem("must be key=value pairs joined by '&', got a pair without '='");
            }
            String key = decode(pair.substring(0, eq));
            String value = decode(pair.substring(eq + 1));
            if (containsIgnoreCase(reserved, key)) {
                throw new SettingProblem("sets " + key + ", which this project sets from its own settings"
                        + " (see the settings table); set it there");
            }
            if (PGProperty.forName(key) == null) {
                throw new SettingProblem("names \"" + key + "\", which is not a pgjdbc connection property"
                        + " (names are case-sensitive, for example loggerLevel)");
            }
            result.put(key, value);
        }
        return Collections.unmodifiableMap(result);
    }

    private static boolean containsIgnoreCase(Set<String> names, String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return names.stream().anyMatch(n -> n.toLowerCase(Locale.ROOT).equals(lower));
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new SettingProblem("has a badly percent-encoded pair");
        }
    }
}
