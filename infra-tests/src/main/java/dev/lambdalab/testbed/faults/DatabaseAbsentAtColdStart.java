package dev.lambdalab.testbed.faults;

import dev.lambdalab.testbed.lambda.EmulatedFunction;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The database is away when a new environment starts: nothing listens at its address (connection refused),
 * or the address accepts TCP connections and never answers (a black hole, as a wrong security group looks).
 * A {@link TcpRelay} between the function and PostgreSQL plays the database's address. The environment must
 * initialise anyway, answer 503 within the pool timeout, and answer 200 once the database is back, without
 * being replaced: a pool built at init must not make init fail.
 */
final class DatabaseAbsentAtColdStart implements FaultExperiment {

    /** The database comes back after this many requests (the cold start and one more), each a pool timeout. */
    static final int REQUESTS_WHILE_AWAY = 2;
    /**
     * Recovery limit after a database that was away since the cold start: HikariCP retries a failed connection
     * with a backoff that doubles from 10 ms up to 5 s (HikariPool.PoolEntryCreator), so the pool may sleep up to
     * 5 s more after the database is back.
     */
    static final long RECOVERY_LIMIT_MILLIS = 8_000;

    private final TcpRelay.Mode mode;

    DatabaseAbsentAtColdStart(TcpRelay.Mode mode) {
        this.mode = mode;
    }

    @Override
    public FaultResult run(Fault fault, FaultProbe probe) throws InterruptedException {
        var server = probe.testBed().server();
        try (TcpRelay relay = new TcpRelay(server.host(), server.port()).withMode(mode).start();
                EmulatedFunction fixed = probe.fixed(probe.testBed().environment(null,
                        Map.of("DB_HOST", relay.host(), "DB_PORT", Integer.toString(relay.port()))))) {
            Call first = probe.call(fixed, 0); // the cold start
            Call second = probe.call(fixed, 0); // the same environment, still without a database
            relay.setMode(TcpRelay.Mode.FORWARD);
            long up = System.nanoTime();
            int callsUntilRecovered = 0;
            Call recovered;
            do {
                recovered = probe.call(fixed, 0);
                callsUntilRecovered++;
                if (!recovered.ok()) {
                    FaultProbe.sleep(Duration.ofMillis(100));
                }
            } while (!recovered.ok() && FaultProbe.millisSince(up) < 20_000);
            long recoveryMillis = FaultProbe.millisSince(up);
            long initErrors = fixed.metrics().initErrors();
            String expected = mode == TcpRelay.Mode.REFUSE ? "CONNECTION_REFUSED" : "POOL_TIMEOUT";
            return probe.result(fault, fixed)
                    .callerSaw(first.key() + " after " + first.latencyMillis() + " ms (the environment stays)")
                    .recovery("200 from the same environment " + recoveryMillis + " ms after the database came back")
                    .answers(Call.answers(List.of(first, second, recovered)))
                    .measure("firstAnswerMillis", first.latencyMillis())
                    .measure("recoveryMillis", recoveryMillis)
                    .measure("callsUntilRecovered", callsUntilRecovered)
                    .measure("initErrors", initErrors)
                    .check("the cold start answered 503 naming " + expected,
                            first.status() == 503 && first.detail().contains(expected), first.key())
                    .check("within the pool timeout, far inside the function timeout",
                            first.latencyMillis() < FaultProbe.POOL_TIMEOUT_MILLIS + 2_000,
                            first.latencyMillis() + " ms")
                    .check("the environment initialised anyway (no init error)", initErrors == 0 && first.coldStart(),
                            initErrors + " init errors")
                    .check("the next call reused that environment", !second.coldStart()
                            && second.sameEnvironmentAs(first), second.key())
                    .check("the same environment answered 200 once the database was back",
                            recovered.ok() && recovered.sameEnvironmentAs(first),
                            recovered.key() + " after " + recoveryMillis + " ms")
                    .check("recovered within " + RECOVERY_LIMIT_MILLIS + " ms (HikariCP's retry backoff reaches 5 s)",
                            recoveryMillis <= RECOVERY_LIMIT_MILLIS, recoveryMillis + " ms")
                    .build();
        }
    }
}
