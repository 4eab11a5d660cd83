package dev.lambdalab.testbed.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.support.LabExtension;
import dev.lambdalab.testbed.support.OutputCapture;
import dev.lambdalab.testbed.support.SecretScan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each fault against the fixed function, through the same {@link FaultRunner} as {@code testbed faults},
 * so the README's table and these assertions rest on the same measurements. Every check of a fault must
 * hold; the key numbers are asserted here as well, so the test reads as the behaviour it pins down.
 *
 * <p>The last test searches everything the faults produced (the functions' logs, their answers, the
 * JSON report, and all the JVM printed meanwhile, HikariCP's and pgjdbc's lines included) for every
 * password and key in play.
 */
@ExtendWith(LabExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultsIT {

    private static final List<FaultResult> RESULTS = new ArrayList<>();
    private static final List<String> SECRETS = new ArrayList<>();
    private static OutputCapture console;

    @BeforeAll
    static void captureTheConsole() {
        console = OutputCapture.start();
    }

    @AfterAll
    static void releaseTheConsole() {
        console.close();
    }

    static FaultResult run(TestBed testBed, Fault fault) throws InterruptedException {
        if (fault.needs().proxy()) {
            LabExtension.assumePgBouncer(testBed); // fails instead of skipping where CI requires the proxy
        }
        FaultRunner runner = new FaultRunner(testBed);
        FaultResult result = runner.run(fault);
        // The runner's own rules decide what cannot run here (a server the test bed cannot restart, process
        // isolation for the timeout faults), so the test skips with the runner's reason.
        Assumptions.assumeFalse(result.wasSkipped(), () -> "skipped: " + result.skipped());
        synchronized (RESULTS) {
            RESULTS.add(result);
            SECRETS.addAll(runner.secretsUsed());
        }
        assertThat(result.passed()).as(result.checksText()).isTrue();
        return result;
    }

    @Test
    void aConnectionTheServerEndedWhileIdleIsReplacedWithoutAnError(TestBed testBed) throws Exception {
        FaultResult result = run(testBed, Fault.SERVER_ENDS_IDLE_CONNECTIONS);
        assertThat(result.measured("connectionsClosed")).isEqualTo(4);
        assertThat(result.measured("errors")).as("errors the callers saw").isZero();
    }

    @Test
    void aClientTheProxyClosedWhileIdleIsReplacedWithoutAnError(TestBed testBed) throws Exception {
        FaultResult result = run(testBed, Fault.PROXY_CLOSES_IDLE_CLIENTS);
        assertThat(result.measured("errors")).as("errors the callers saw").isZero();
    }

    @Test
    void aProxyRestartCausesErrorsOnlyAroundTheOutageAndLeavesNoDeadPool(TestBed testBed) throws Exception {
        FaultResult result = run(testBed, Fault.PROXY_RESTART_UNDER_LOAD);
        assertThat(result.measured("errorsEndAfterReturnMillis")).isLessThanOrEqualTo(FaultRunner.RECOVERY_LIMIT_MILLIS);
        assertThat(result.measured("environments")).as("environments checked afterwards").isPositive();
    }

    @Test
    void aPostgresRestartBehindTheProxyRecoversWithinSeconds(TestBed testBed) throws Exception {
        FaultResult result = run(testBed, Fault.POSTGRES_RESTART_UNDER_LOAD);
        assertThat(result.measured("errorsEndAfterReturnMillis")).isLessThanOrEqualTo(FaultRunner.RECOVERY_LIMIT_MILLIS);
    }

    @Test
    void aPostgresRestartWithoutProxyRecoversWithinSeconds(TestBed testBed) throws Exception {
        FaultResult result = run(testBed, Fault.POSTGRES_RESTART_DIRECT);
        assertThat(result.measured("errors")).as("without a proxy the restart reaches the callers").isPositive();
        assertThat(result.measured("errorsEndAfterReturnMillis")).isLessThanOrEqualTo(FaultRunner.RECOVERY_LIMIT_MILLIS);
    }

    @Test
    void aDatabaseDownAtColdStartGives503AndTheSameEnvironmentRecovers(TestBed testBed) throws Exception {
        FaultResult result = run(testBed, Fault.DATABASE_DOWN_AT_COLD_START);
        assertThat(result.measured("firstAnswerMillis")).isLessThan(FaultRunner.FUNCTION_TIMEOUT_MILLIS);
        assertThat(result.measured("initErrors")).isZero();
    }

    @Test
    void anUnresponsiveDatabaseAtColdStartGives503WithinThePoolTimeout(TestBed testBed) throws Exception {
        FaultResult result = run(testBed, Fault.DATABASE_UNRESPONSIVE_AT_COLD_START);
        assertThat(result.measured("firstAnswerMillis")).isLessThan(FaultRunner.POOL_TIMEOUT_MILLIS + 2_000);
    }

    @Test
    void aRotatedSecretIsReadAgainOnceAndTheFunctionRecoversWithoutRedeploy(TestBed testBed) throws Exception {
        FaultResult result = run(testBed, Fault.CREDENTIALS_ROTATED);
        assertThat(result.measured("secretReads")).as("init + one re-read after the rotation").isEqualTo(2);
        assertThat(result.answers()).as("a password the secret lacks is classified")
                .containsKey("503 POOL_TIMEOUT (AUTHENTICATION)");
    }

    @Test
    void aTimedOutInvocationLeaksItsConnectionUntilTheServerDropsIt(TestBed testBed) throws Exception {
        FaultResult result = run(testBed, Fault.FUNCTION_TIMEOUT_HOLDING_CONNECTION);
        assertThat(result.measured("leakedConnections")).isEqualTo(1);
        assertThat(result.measured("leakReclaimedAfterMillis")).as("idle_session_timeout 2 s after the query's end")
                .isBetween(1_000L, 10_000L);
    }

    @Test
    void behindTheProxyATimedOutInvocationHoldsNoDatabaseConnectionOnceItsQueryEnds(TestBed testBed)
            throws Exception {
        FaultResult result = run(testBed, Fault.FUNCTION_TIMEOUT_BEHIND_PROXY);
        assertThat(result.measured("proxyClientsAfterTimeout")).isEqualTo(2);
    }

    @Test
    void aSlowQueryIsCancelledByTheQueryTimeoutAndItsConnectionReused(TestBed testBed) throws Exception {
        FaultResult result = run(testBed, Fault.QUERY_CANCELLED_BY_QUERY_TIMEOUT);
        assertThat(result.measured("sameConnectionAfter")).isEqualTo(1);
    }

    @Test
    void aQueryPastTheSocketTimeoutBreaksOnlyItsConnectionWhichIsReplaced(TestBed testBed) throws Exception {
        FaultResult result = run(testBed, Fault.QUERY_PAST_SOCKET_TIMEOUT);
        assertThat(result.measured("sameConnectionAfter")).isZero();
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void nothingTheFaultsLoggedAnsweredOrReportedHoldsAPasswordOrKey(TestBed testBed) throws Exception {
        Assumptions.assumeFalse(RESULTS.isEmpty(), "no fault ran");
        Path report = Path.of("target", "faults-it.json");
        FaultReport.writeJson(report, RESULTS, Map.of("run", "FaultsIT"));
        SecretScan scan = new SecretScan();
        for (FaultResult result : RESULTS) {
            scan.add(result.fault().label() + " function log", result.log());
            scan.add(result.fault().label() + " answers", result.bodies());
        }
        scan.add("the JSON report", Files.readString(report));
        scan.add("the text report", FaultReport.text(RESULTS));
        scan.add("everything the JVM printed", console.text());
        List<String> secrets = new ArrayList<>(SECRETS);
        secrets.add(testBed.lab().appPassword());
        secrets.add(testBed.lab().monitorPassword());
        assertThat(secrets).as("the rotation fault's passwords and key are among those searched").hasSizeGreaterThan(3);
        assertThat(console.text()).as("the console copy holds the functions' slf4j lines").contains("CredentialsDataSource");
        scan.assertNoneOf(secrets);
    }
}
