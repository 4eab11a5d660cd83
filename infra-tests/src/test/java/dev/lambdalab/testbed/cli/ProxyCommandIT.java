package dev.lambdalab.testbed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdalab.testbed.bench.ProxyProcess;
import dev.lambdalab.testbed.db.LabDatabase;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.support.LabExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code testbed proxy} as a user runs it, in its own JVM: a client pins, the pin and the metrics are printed. */
@ExtendWith(LabExtension.class)
class ProxyCommandIT {

    @Test
    void itListensPrintsEachPinAndItsMetricsAtExitWithoutThePassword(TestBed testBed) throws Exception {
        testBed.resetConnections();
        String password = testBed.lab().appPassword();
        try (ProxyProcess proxy = ProxyProcess.start(testBed.server().host(), testBed.server().port(),
                LabDatabase.APP_ROLE, password, LabDatabase.DATABASE, List.of("--max-connections", "2"))) {
            Properties properties = new Properties();
            properties.setProperty("user", LabDatabase.APP_ROLE);
            properties.setProperty("password", password);
            properties.setProperty("assumeMinServerVersion", "9.0");
            try (Connection client = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/"
                    + LabDatabase.DATABASE, properties); Statement statement = client.createStatement()) {
                statement.execute("SELECT 1");
                statement.execute("SET search_path TO public");
            }
            proxy.stop();
            List<String> lines = proxy.lines();
            assertThat(lines).as("its output").anyMatch(line -> line.startsWith("Listening on 127.0.0.1:" + proxy.port()));
            assertThat(lines).as("one pin line with RDS Proxy's wording")
                    .filteredOn(line -> line.startsWith("The client session was pinned to the database connection"))
                    .singleElement().asString().contains("Digest: \"set search_path to public\"");
            assertThat(lines).as("the last metrics at Ctrl-C/SIGTERM")
                    .anyMatch(line -> line.startsWith("at exit: ClientConnections=") && line.contains("sessionsPinned=1"));
            assertThat(String.join("\n", lines)).as("the password is never printed").doesNotContain(password);
        } finally {
            testBed.resetConnections();
        }
    }
}
