package dev.lambdalab.testbed.rdsproxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdalab.testbed.db.LabDatabase;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.support.LabExtension;
import dev.lambdalab.testbed.support.PostgresClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** PostgreSQL's own clients, unchanged, through the RDS Proxy emulator: psql and pgbench. */
@ExtendWith(LabExtension.class)
class RdsProxyClientsIT {

    private final List<String> pins = new CopyOnWriteArrayList<>();
    private RdsProxyEmulator proxy;
    private TestBed testBed;

    @BeforeEach
    void start(TestBed testBed) {
        this.testBed = testBed;
        testBed.resetConnections();
        testBed.lab().setAppConnectionLimit(10);
        proxy = testBed.rdsProxyEmulator(ProxySettings.DEFAULTS.withMaxClientConnections(100))
                .withPinListener(pins::add)
                .start();
    }

    @AfterEach
    void stop() {
        proxy.close();
        testBed.resetConnections();
    }

    private PostgresClients.Run psql(String sql) throws Exception {
        return PostgresClients.run(PostgresClients.require("psql"), List.of("-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                "-h", proxy.host(), "-p", Integer.toString(proxy.port()), "-U", LabDatabase.APP_ROLE, "-d",
                LabDatabase.DATABASE, "-c", sql), testBed.lab().appPassword(), null, 30);
    }

    @Test
    void psqlSetWorkMemPinsWithTheReasonWhileAQuotedSetDoesNot() throws Exception {
        PostgresClients.Run quoted = psql("SELECT 'SET x'");
        assertThat(quoted.exitCode()).as(quoted.all()).isZero();
        assertThat(quoted.stdout().strip()).isEqualTo("SET x");
        assertThat(pins).as("a quoted SET does not pin").isEmpty();

        PostgresClients.Run set = psql("SET work_mem = '8MB'");
        assertThat(set.exitCode()).as(set.all()).isZero();
        assertThat(pins).as("the pin line").hasSize(1);
        assertThat(pins.get(0)).contains("Reason: SQL changed session settings that the proxy doesn't track.")
                .contains("Digest: \"set work_mem = $1\"");
    }

    @Test
    void pgbenchWithFiftyClientsOnFiveDatabaseConnectionsFailsNoTransaction() throws Exception {
        Path script = Files.createTempFile("hold", ".sql");
        try {
            // Each transaction holds its database connection 10 ms, as the lab's handlers do; -M prepared makes
            // pgbench use named statements, which the emulator multiplexes.
            Files.writeString(script, "SELECT pg_sleep(0.01);\n");
            List<String> arguments = new ArrayList<>(List.of("-n", "-M", "prepared", "-c", "50", "-j", "2", "-T", "10",
                    "-f", script.toString(), "-h", proxy.host(), "-p", Integer.toString(proxy.port()), "-U",
                    LabDatabase.APP_ROLE, LabDatabase.DATABASE));
            PostgresClients.Run run = PostgresClients.run(PostgresClients.require("pgbench"), arguments,
                    testBed.lab().appPassword(), null, 60);
            assertThat(run.exitCode()).as(run.all()).isZero();
            assertThat(number(run.stdout(), "number of failed transactions: (\\d+)")).as(run.stdout()).isZero();
            long processed = number(run.stdout(), "number of transactions actually processed: (\\d+)");
            // 5 connections x 10 s / 10 ms = 5,000 at most; well over half of it shows they were all in use.
            assertThat(processed).as("transactions through 5 database connections in 10 s").isGreaterThan(2_500);
            ProxyMetrics metrics = proxy.metrics();
            assertThat(metrics.databaseConnections()).as("DatabaseConnections").isLessThanOrEqualTo(5);
            assertThat(metrics.borrowTimeouts()).as("borrow timeouts").isZero();
            assertThat(pins).as("pgbench pins nothing").isEmpty();
        } finally {
            Files.deleteIfExists(script);
        }
    }

    private static long number(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as("pgbench printed /%s/", regex).isTrue();
        return Long.parseLong(matcher.group(1));
    }
}
