package dev.lambdalab.testbed.rdsproxy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the emulator's code paths once per JVM before its first clients: logins, simple and extended queries,
 * named statements. RDS Proxy is a long-running service whose code is warm; the emulator is JVM code that
 * starts interpreted, and a storm of cold starts in its first second would measure the JIT rather than the
 * proxy (measured here: 100 logins at once finished within 0.97 s on the first round and 0.52 s on the second).
 * Every later emulator in the same JVM starts warm.
 */
final class Warmup {

    private static final AtomicBoolean DONE = new AtomicBoolean();
    private static final int LOGINS = 40;
    private static final int QUERIES_PER_LOGIN = 60;

    private Warmup() {
    }

    /** Warms the code paths through the proxy at this address, once per JVM; later calls return at once. */
    static void once(String host, int port, String user, String password, String database) {
        if (!DONE.compareAndSet(false, true)) {
            return;
        }
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("assumeMinServerVersion", "9.0");
        properties.setProperty("sslmode", "disable");
        properties.setProperty("prepareThreshold", "1");
        properties.setProperty("connectTimeout", "10");
        properties.setProperty("socketTimeout", "30");
        String url = "jdbc:postgresql://" + host + ":" + port + "/" + database;
        try {
            for (int login = 0; login < LOGINS; login++) {
                try (Connection connection = DriverManager.getConnection(url, properties);
                        Statement statement = connection.createStatement();
                        PreparedStatement prepared = connection.prepareStatement("SELECT ?::int")) {
                    connection.isValid(5);
                    connection.getTransactionIsolation();
                    for (int i = 0; i < QUERIES_PER_LOGIN; i++) {
                        statement.execute("SELECT 1");
                        prepared.setInt(1, i);
                        try (ResultSet result = prepared.executeQuery()) {
                            result.next();
                        }
                    }
                }
            }
        } catch (SQLException e) {
            // A warm-up that fails leaves the code cold, nothing worse: the proxy works as it is.
        }
    }
}
