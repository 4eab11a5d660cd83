package dev.lambdalab.testbed.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.app.AppOptions;
import dev.lambdalab.testbed.app.AppPlan;
import dev.lambdalab.testbed.app.LocalApp;
import dev.lambdalab.testbed.stack.AppTemplate;
import dev.lambdalab.testbed.support.LabExtension;
import dev.lambdalab.testbed.support.OrdersExample;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code testbed serve -t} under many callers: the example project first as it is, then with its README's fix, and
 * the repository's own template, whose verdicts must be those of {@code reproduce} (broken fails, fixed holds).
 * The account's concurrency is 4, so that a 2-core machine starts few JVMs and the callers beyond it meet 429s (and
 * back off), and the timeout is raised so that this machine's cold starts are not the function's.
 */
@ExtendWith(LabExtension.class)
class AppServeIT {

    private static final Duration LOAD = Duration.ofSeconds(5);
    /**
     * How long a caller waits for an answer. The example's pinned, never-closed pools take every database connection
     * of the proxy within seconds, and later requests wait for ConnectionBorrowTimeout (120 s by default): the run need
     * not wait with them.
     */
    private static final Duration CALLER_TIMEOUT = Duration.ofSeconds(8);

    /** A serve run's verdicts and figures. */
    private record Served(Map<String, AppVerdict> verdicts, Map<String, FunctionWatch> watches,
            Map<String, RouteMetrics> metrics, Map<String, Long> pins) {
    }

    @Test
    void fiftyCallersShowTheExamplesConnectionsGrowAndPinThenTheFixHolds(TestBed testBed, @TempDir Path directory)
            throws Exception {
        LabExtension.assumeProcessIsolation();
        Path example = OrdersExample.directory();
        Served broken = serve(testBed, example.resolve("template.yaml"), example.resolve("schema.sql"), 4,
                Map.of("/orders/1", 50));
        FunctionWatch watch = broken.watches().get("OrdersFunction");
        RouteMetrics metrics = broken.metrics().get("OrdersFunction");
        assertThat(metrics.ok()).as("the mistakes still answer").isPositive();
        assertThat(metrics.throttled()).as("50 callers over an account concurrency of 4").isPositive();
        assertThat(watch.peakEnvironments()).as("environments, bounded by the concurrency").isBetween(2, 4);
        assertThat(watch.growing()).as("connections grow with the requests an environment serves: %s, %s",
                broken.verdicts(), metrics.statuses()).isTrue();
        assertThat(watch.peakPerEnvironment()).as("connections held by one environment").isGreaterThan(2);
        assertThat(broken.pins().get("OrdersFunction")).as("pinned sessions").isPositive();
        AppVerdict brokenVerdict = broken.verdicts().get("OrdersFunction");
        assertThat(brokenVerdict.verdict()).as("%s", brokenVerdict).isNotEqualTo(AppVerdict.Verdict.HOLDS);
        assertThat(brokenVerdict.lines()).anyMatch(line -> line.contains("a pool per request: no bound"));

        Path fixed = OrdersExample.fixed(directory);
        Served after = serve(testBed, fixed.resolve("template.yaml"), fixed.resolve("schema.sql"), 4,
                Map.of("/orders/1", 50));
        FunctionWatch fixedWatch = after.watches().get("OrdersFunction");
        RouteMetrics fixedMetrics = after.metrics().get("OrdersFunction");
        AppVerdict fixedVerdict = after.verdicts().get("OrdersFunction");
        assertThat(fixedVerdict.verdict()).as("%s", fixedVerdict).isEqualTo(AppVerdict.Verdict.HOLDS);
        assertThat(fixedMetrics.errors()).as("errors by cause %s", fixedMetrics.errorsByCause()).isZero();
        assertThat(fixedMetrics.ok()).as("answered").isGreaterThan(metrics.ok());
        assertThat(fixedWatch.growing()).as("connections no longer grow").isFalse();
        assertThat(fixedWatch.peakPerEnvironment()).as("one connection per environment").isEqualTo(1);
        assertThat(fixedWatch.peakConnections()).as("at most one per environment").isLessThanOrEqualTo(4);
        assertThat(after.pins().get("OrdersFunction")).as("nothing pins").isZero();
    }

    @Test
    void theRepositorysOwnTemplateGivesTheVerdictsOfReproduce(TestBed testBed) throws Exception {
        LabExtension.assumeProcessIsolation();
        Served served = serve(testBed, Path.of("..", "template.yaml").toAbsolutePath().normalize(), null, 4,
                Map.of("/broken", 16, "/fixed", 16));
        AppVerdict broken = served.verdicts().get("BrokenFunction");
        AppVerdict fixed = served.verdicts().get("FixedFunction");
        assertThat(broken.verdict()).as("reproduce: broken-direct FAILS as expected; %s", broken)
                .isEqualTo(AppVerdict.Verdict.FAILS);
        assertThat(served.metrics().get("BrokenFunction").errorsByCause().keySet())
                .as("failed at the role's limit, or waiting for it").containsAnyOf("ROLE_CONNECTION_LIMIT",
                        "POOL_TIMEOUT");
        assertThat(fixed.verdict()).as("reproduce: fixed-proxy HOLDS; %s", fixed).isEqualTo(AppVerdict.Verdict.HOLDS);
        assertThat(served.pins().get("FixedFunction")).as("the fixed handler pins nothing").isZero();
    }

    /**
     * One request per environment the concurrency allows, all at once, before the load: cold starts of process
     * environments queue for this machine's cores (a start slot per core), and the load that follows is then served
     * by warm environments, as on AWS after the first seconds.
     */
    private static void warmUp(AppServer server, Iterable<String> paths, int environments) throws Exception {
        for (String path : paths) {
            ExecutorService callers = Executors.newFixedThreadPool(environments);
            List<Future<HttpLoad.Answer>> answers = new ArrayList<>();
            for (int i = 0; i < environments; i++) {
                answers.add(callers.submit(() -> HttpLoad.get(server.baseUrl() + path)));
            }
            for (Future<HttpLoad.Answer> answer : answers) {
                answer.get();
            }
            callers.shutdown();
        }
    }

    /** Serves the template, drives each path with its callers at once, and reads the verdicts. */
    private static Served serve(TestBed testBed, Path template, Path schema, int accountConcurrency,
            Map<String, Integer> load) throws Exception {
        AppOptions options = AppOptions.builder().initSql(schema).accountConcurrency(accountConcurrency)
                .timeoutSeconds(60).build();
        AppPlan plan = AppPlan.prepare(AppTemplate.load(template, Map.of()), options, Optional.empty());
        try (LocalApp app = LocalApp.start(plan, testBed, 1000, line -> { });
                AppServer server = new AppServer(app).withPort(0).start()) {
            warmUp(server, load.keySet(), accountConcurrency);
            ExecutorService drivers = Executors.newFixedThreadPool(load.size());
            List<Future<List<HttpLoad.Answer>>> runs = new ArrayList<>();
            load.forEach((path, callers) -> runs.add(drivers.submit(() -> HttpLoad.run(server.baseUrl() + path,
                    callers, LOAD, Duration.ofMillis(200), CALLER_TIMEOUT))));
            for (Future<List<HttpLoad.Answer>> run : runs) {
                assertThat(run.get()).as("answers").isNotEmpty();
            }
            drivers.shutdown();
            Thread.sleep(1500); // one more sample of the connections left behind
            Map<String, AppVerdict> verdicts = new LinkedHashMap<>();
            Map<String, FunctionWatch> watches = new LinkedHashMap<>();
            Map<String, RouteMetrics> metrics = new LinkedHashMap<>();
            Map<String, Long> pins = new LinkedHashMap<>();
            for (AppVerdict verdict : AppVerdict.of(server)) {
                verdicts.put(verdict.function(), verdict);
                watches.put(verdict.function(), server.watch(verdict.function()));
                metrics.put(verdict.function(), server.metrics(verdict.function()));
                pins.put(verdict.function(), app.pins(verdict.function()).stream().mapToLong(c -> c.pins()).sum());
            }
            return new Served(verdicts, watches, metrics, pins);
        }
    }
}
