package dev.lambdalab.testbed.scenario;

import dev.lambdalab.testbed.Target;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.TestBed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdalab.testbed.load.Load;
import dev.lambdalab.testbed.proxy.ProxyKind;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.support.LabExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The seed's check in process: 100 callers at once against the fixed function behind the RDS Proxy emulator,
 * so 100 cold starts whose first requests all queue for 5 database connections. Every one must get its 200.
 */
@ExtendWith(LabExtension.class)
class ColdStartStormIT {

    @Test
    void aHundredConcurrentFirstRequestsOnFiveDatabaseConnectionsAllSucceed(TestBed testBed) throws Exception {
        Scenario storm = Scenario.builder("cold-start-storm")
                .variant(Variant.FIXED)
                .target(Target.PROXY)
                .load(Load.closedLoop(100, 300, 0))
                .roleConnectionLimit(10)
                .proxy(ProxySettings.DEFAULTS.withMaxClientConnections(1000))
                .build();

        ScenarioResult result = new ScenarioRunner(testBed).withProxy(ProxyKind.RDS_PROXY).run(storm);

        // Lambda reuses an environment that is free: a caller whose first request starts late (the 100 threads start
        // together, not at one instant) can find one that has already answered. Nearly one per caller is the storm.
        assertThat(result.environments().created()).as("cold starts: about one environment per concurrent caller")
                .isBetween(90L, 100L);
        assertThat(result.answers().errors()).as("errors by cause").isEmpty();
        assertThat(result.answers().ok()).as("answers").isEqualTo(300);
        assertThat(result.connections().peakDbConnections()).as("database connections, the proxy's maximum being %d",
                result.setup().proxyDatabaseConnections()).isLessThanOrEqualTo(5);
        assertThat(result.connections().pinnedSessions()).as("pinned sessions").isZero();
    }
}
