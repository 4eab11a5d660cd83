package dev.lambdalab.testbed.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdalab.testbed.bench.StormBenchmark;
import dev.lambdalab.testbed.bench.StormBenchmark.SetupCost;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.support.LabExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a new connection of the fixed handler costs at RDS Proxy, counted by the emulator: each statement
 * outside a transaction borrows a database connection, and during a storm of cold starts every borrow
 * queues. The arithmetic in {@code LambdaPool} and the README rests on these counts.
 */
@ExtendWith(LabExtension.class)
class ConnectionSetupIT {

    @Test
    void aColdStartBorrowsThreeDatabaseConnectionsAWarmRequestOneAndNothingPins(TestBed testBed) throws Exception {
        SetupCost cost = StormBenchmark.setupCost(testBed);

        assertThat(cost.coldStart()).as("borrows of a cold start: HikariCP's isValid and SHOW TRANSACTION ISOLATION"
                + " LEVEL on the pool's first connection, then the query; no SET (application_name travels in the"
                + " startup packet)").isEqualTo(3);
        assertThat(cost.warm()).as("borrows of a warm request: the query only").isEqualTo(1);
        assertThat(cost.warmAfterIdle()).as("borrows of a request after 700 ms idle: HikariCP validates a connection"
                + " idle longer than its 500 ms aliveBypassWindowMs, then the query").isEqualTo(2);
        assertThat(cost.sessionsPinned()).as("sessions pinned").isZero();
    }
}
