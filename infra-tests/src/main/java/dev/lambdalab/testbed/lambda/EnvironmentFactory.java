package dev.lambdalab.testbed.lambda;

import dev.lambdalab.testbed.lambda.classloader.ClassLoaderSandbox;
import dev.lambdalab.testbed.lambda.process.EnvironmentRole;
import dev.lambdalab.testbed.lambda.process.ProcessSandbox;
import dev.lambdalab.testbed.lambda.sandbox.FunctionLog;
import dev.lambdalab.testbed.lambda.sandbox.Sandbox;
import dev.lambdalab.testbed.lambda.snapstart.Snapshot;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Makes a function's execution environments, in its isolation and with its number of workers, and keeps the list
 * of every one it made, alive or not, for the metrics. Each gets a random id and the log stream name Lambda would
 * give it ({@code 2026/12/03/[$LATEST]<id>}), which becomes ExecutionEnvironment.id() inside it.
 */
final class EnvironmentFactory {

    private static final DateTimeFormatter LOG_STREAM_DATE = DateTimeFormatter.ofPattern("yyyy/MM/dd");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final FunctionConfig config;
    private final FunctionLog log;
    private final ThreadGroup threads;
    private final Snapshot snapshot;
    private final ConcurrentLinkedQueue<Sandbox> made = new ConcurrentLinkedQueue<>();

    /** @param snapshot the SnapStart snapshot every environment restores, or {@code null} */
    EnvironmentFactory(FunctionConfig config, FunctionLog log, ThreadGroup threads, Snapshot snapshot) {
        this.config = config;
        this.log = log;
        this.threads = threads;
        this.snapshot = snapshot;
    }

    /** A new environment, not yet initialised. */
    Sandbox create() {
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        String id = HexFormat.of().formatHex(random);
        String logStream = LocalDate.now(ZoneOffset.UTC).format(LOG_STREAM_DATE) + "/[$LATEST]" + id;
        int workers = config.perEnvironmentConcurrency();
        Sandbox sandbox;
        if (config.isolation() == Isolation.CLASSLOADER) {
            sandbox = new ClassLoaderSandbox(id, logStream, config.code(), threads, workers);
        } else if (snapshot != null) {
            sandbox = new ProcessSandbox(id, logStream, snapshot, log);
        } else {
            sandbox = new ProcessSandbox(id, logStream, config.environmentJvm(), log, role(), workers);
        }
        made.add(sandbox);
        return sandbox;
    }

    private EnvironmentRole role() {
        if (config.managedInstances().isPresent()) {
            return EnvironmentRole.MANAGED_INSTANCE;
        }
        return config.snapStart() == SnapStart.HOOKS_ONLY ? EnvironmentRole.HOOKS_ONLY : EnvironmentRole.ON_DEMAND;
    }

    /** Every environment made so far, alive or not. */
    Iterable<Sandbox> all() {
        return made;
    }

    /** Every environment made so far, as {@link EmulatedFunction#environments()} lists them. */
    List<EnvironmentInfo> infos() {
        List<EnvironmentInfo> result = new ArrayList<>();
        for (Sandbox sandbox : made) {
            result.add(new EnvironmentInfo(sandbox.id(), sandbox.state().name(), sandbox.deathReason(),
                    sandbox.invocations(), sandbox.openSockets(), sandbox.frozen(), sandbox.processId(),
                    sandbox.inFlight(), sandbox.peakInFlight()));
        }
        return result;
    }

    /** Ends every environment as if its process were killed. */
    void destroyAll(String reason) {
        for (Sandbox sandbox : made) {
            sandbox.destroy(reason);
        }
    }
}
