package dev.lambdalab.db;

import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;
import software.amazon.awssdk.protocols.jsoncore.JsonNodeParser;

/**
 * The JSON that RDS and {@code AWS::SecretsManager::SecretTargetAttachment} keep in a database secret:
 * {@code {"username":..., "password":..., "host":..., "port":5432, "dbname":..., "engine":"postgres"}}.
 * Only username and password are required; host, port and dbname fill in what the settings leave out.
 */
public final class DatabaseSecret {

    private final String username;
    private final String password;
    private final String host;
    private final Integer port;
    private final String dbname;

    private DatabaseSecret(String username, String password, String host, Integer port, String dbname) {
        this.username = username;
        this.password = password;
        this.host = host;
        this.port = port;
        this.dbname = dbname;
        Redactor.register(password);
    }

    /**
     * Parses the secret string.
     *
     * @throws IllegalArgumentException naming the missing or malformed field, never quoting the secret
     */
    public static DatabaseSecret parse(String secretString) {
        JsonNode root;
        try {
            root = JsonNodeParser.create().parse(secretString);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the secret is not JSON (expected the RDS secret format with"
                    + " username and password)");
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException("the secret is not a JSON object (expected the RDS secret format"
                    + " with username and password)");
        }
        Map<String, JsonNode> fields = root.asObject();
        String username = requiredText(fields, "username");
        String password = requiredText(fields, "password");
        String host = optionalText(fields, "host");
        String dbname = optionalText(fields, "dbname");
        Integer port = null;
        JsonNode portNode = fields.get("port");
        if (portNode != null && !portNode.isNull()) {
            String text = portNode.isNumber() ? portNode.asNumber() : portNode.isString() ? portNode.asString() : "";
            try {
                port = Integer.parseInt(text.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the secret's port is not an integer");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("the secret's port is not from 1 to 65535");
            }
        }
        return new DatabaseSecret(username, password, host, port, dbname);
    }

    private static String requiredText(Map<String, JsonNode> fields, String name) {
        String value = optionalText(fields, name);
        if (value == null) {
            throw new IllegalArgumentException("the secret has no \"" + name + "\" string");
        }
        return value;
    }

    private static String optionalText(Map<String, JsonNode> fields, String name) {
        JsonNode node = fields.get(name);
        if (node == null || !node.isString() || node.asString().isBlank()) {
            return null;
        }
        return node.asString();
    }

    public String username() {
        return username;
    }

    String password() {
        return password;
    }

    public Optional<String> host() {
        return Optional.ofNullable(host);
    }

    public Optional<Integer> port() {
        return Optional.ofNullable(port);
    }

    /** Whether the other secret holds the same password (without handing either out). */
    public boolean samePassword(DatabaseSecret other) {
        return java.security.MessageDigest.isEqual(password.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                other.password.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public Optional<String> dbname() {
        return Optional.ofNullable(dbname);
    }

    @Override
    public String toString() {
        return "DatabaseSecret{username=" + username + ", password=****, host=" + host + ", port=" + port
                + ", dbname=" + dbname + "}";
    }
}
