package dev.lambdalab.testbed.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.lambdalab.testbed.bench.ProxyBenchmark.Pgbench;
import dev.lambdalab.testbed.bench.SelectOnlyComparison.Round;
import dev.lambdalab.testbed.bench.SelectOnlyComparison.Run;
import dev.lambdalab.testbed.bench.SelectOnlyComparison.SelectOnly;
import java.util.List;
import org.junit.jupiter.api.Test;

class SelectOnlyComparisonTest {

    /** A 5 s run at this rate, the proxy's process using {@code cpuMillis} of CPU (none: unknown). */
    private static Run tps(double tps, long... cpuMillis) {
        return new Run(new Pgbench((long) (tps * 5), 0, tps), cpuMillis.length == 0 ? null : cpuMillis[0] * 1000);
    }

    @Test
    void theRatioIsOfMeansNotTheMeanOfRatios() {
        // Equal round lengths: mean tps over mean tps is the ratio of transactions, (900 + 2000) / (1000 + 4000).
        SelectOnly select = new SelectOnly(QueryMode.SIMPLE,
                List.of(new Round(tps(900), tps(1000)), new Round(tps(2000), tps(4000))));
        assertEquals(1450, select.rdsProxyTps(), 1e-9, "the emulator's mean over its rounds");
        assertEquals(2500, select.pgBouncerTps(), 1e-9, "PgBouncer's mean over the same rounds");
        assertEquals(0.58, select.ratio(), 1e-9, "mean over mean, not (0.9 + 0.5) / 2 = 0.7");
    }

    @Test
    void theRangeSpansTheLowestAndHighestRound() {
        SelectOnly select = new SelectOnly(QueryMode.EXTENDED, List.of(new Round(tps(95), tps(100)),
                new Round(tps(110), tps(100)), new Round(tps(100), tps(100))));
        assertEquals(0.95, select.roundRatios().lowest(), 1e-9, "the worst round");
        assertEquals(1.10, select.roundRatios().highest(), 1e-9, "the best round");
    }

    @Test
    void cpuPerTransactionIsTotalCpuOverTotalTransactions() {
        // 1,000 tps for 5 s using 100 ms, then 2,000 tps using 300 ms: 400 ms over 15,000 transactions = 26.7 us.
        SelectOnly select = new SelectOnly(QueryMode.SIMPLE,
                List.of(new Round(tps(1000, 100), tps(1000, 120)), new Round(tps(2000, 300), tps(2000, 240))));
        assertEquals(400_000.0 / 15_000, select.rdsProxyCpuMicros(), 1e-9, "the emulator's CPU per transaction");
        assertEquals(360_000.0 / 15_000, select.pgBouncerCpuMicros(), 1e-9, "PgBouncer's, over the same rounds");
    }

    @Test
    void cpuPerTransactionIsUnknownWhereAnyRunCouldNotReadIt() {
        SelectOnly select = new SelectOnly(QueryMode.SIMPLE,
                List.of(new Round(tps(1000, 100), tps(1000)), new Round(tps(1000), tps(1000))));
        assertNull(select.rdsProxyCpuMicros(), "one run without a reading: no figure rather than a wrong one");
        assertNull(select.pgBouncerCpuMicros(), "a container's PgBouncer: no process to read");
    }

    @Test
    void withoutPgBouncerThereIsNoRatio() {
        SelectOnly select = new SelectOnly(QueryMode.SIMPLE, List.of(new Round(tps(100), null),
                new Round(tps(300), null)));
        assertEquals(200, select.rdsProxyTps(), 1e-9, "the emulator's runs still count");
        assertNull(select.pgBouncerTps(), "no PgBouncer, no tps of its own");
        assertNull(select.ratio(), "no PgBouncer, no ratio");
        assertNull(select.roundRatios(), "no PgBouncer, no range");
        assertNull(select.pgBouncerCpuMicros(), "no PgBouncer, no CPU figure");
    }
}
