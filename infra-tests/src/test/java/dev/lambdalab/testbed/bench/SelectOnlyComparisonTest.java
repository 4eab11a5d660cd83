package dev.lambdalab.testbed.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.lambdalab.testbed.bench.ProxyBenchmark.Pgbench;
import dev.lambdalab.testbed.bench.SelectOnlyComparison.Round;
import dev.lambdalab.testbed.bench.SelectOnlyComparison.SelectOnly;
import java.util.List;
import org.junit.jupiter.api.Test;

class SelectOnlyComparisonTest {

    private static Pgbench tps(double tps) {
        return new Pgbench((long) (tps * 5), 0, tps);
    }

    @Test
    void theRatioIsOfMeansNotTheMeanOfRatios() {
        // Equal round lengths: mean tps over mean tps is the ratio of transactions, (900 + 2000) / (1000 + 4000).
        SelectOnly select = new SelectOnly(QueryMode.SIMPLE, List.of(tps(900), tps(2000)),
                List.of(new Round(tps(900), tps(1000)), new Round(tps(2000), tps(4000))));
        assertEquals(1450, select.rdsProxyTps(), 1e-9, "the emulator's mean over its rounds");
        assertEquals(2500, select.pgBouncerTps(), 1e-9, "PgBouncer's mean over the same rounds");
        assertEquals(0.58, select.ratio(), 1e-9, "mean over mean, not (0.9 + 0.5) / 2 = 0.7");
    }

    @Test
    void theRangeSpansTheLowestAndHighestRound() {
        SelectOnly select = new SelectOnly(QueryMode.EXTENDED, List.of(tps(95), tps(110), tps(100)),
                List.of(new Round(tps(95), tps(100)), new Round(tps(110), tps(100)), new Round(tps(100), tps(100))));
        assertEquals(0.95, select.roundRatios().lowest(), 1e-9, "the worst round");
        assertEquals(1.10, select.roundRatios().highest(), 1e-9, "the best round");
    }

    @Test
    void withoutPgBouncerThereIsNoRatio() {
        SelectOnly select = new SelectOnly(QueryMode.SIMPLE, List.of(tps(100), tps(300)), List.of());
        assertEquals(200, select.rdsProxyTps(), 1e-9, "the emulator's runs still count");
        assertNull(select.pgBouncerTps(), "no PgBouncer, no tps of its own");
        assertNull(select.ratio(), "no PgBouncer, no ratio");
        assertNull(select.roundRatios(), "no PgBouncer, no range");
    }
}
