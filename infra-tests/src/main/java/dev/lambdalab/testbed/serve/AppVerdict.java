package dev.lambdalab.testbed.serve;

import dev.lambdalab.testbed.app.LocalApp;
import dev.lambdalab.testbed.label.Labelled;
import dev.lambdalab.testbed.lambda.ManagedInstances;
import dev.lambdalab.testbed.stack.AppFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What {@code testbed serve -t} says of one function when it stops: a verdict, and the figures behind it: requests
 * and errors by cause, peak environments, the connections it held (and whether they grew with its requests), the
 * database connections, its pinned sessions with their reasons, and the connection budget at the template's
 * concurrency, computed as {@code testbed check} computes it (environments that concurrency allows x connections per
 * environment), with the pool size observed here instead of read from settings.
 *
 * @param function the function's logical id
 * @param verdict the verdict
 * @param lines the figures, one line each
 */
public record AppVerdict(String function, Verdict verdict, List<String> lines) {

    /** How a function came through its run. */
    public enum Verdict implements Labelled {
        /** Every request answered without a server error, within the budget, nothing pinned. */
        HOLDS("HOLDS"),
        /**
         * No errors in this run, but the budget breaks at the template's concurrency, connections grow with requests,
         * sessions pinned, or many Managed Instances threads share one connection.
         */
        AT_RISK("AT RISK"),
        /** Requests failed. */
        FAILS("FAILS");

        private final String label;

        Verdict(String label) {
            this.label = label;
        }

        @Override
        public String label() {
            return label;
        }
    }

    /** The headline: {@code OrdersFunction: FAILS}. */
    public String headline() {
        return function + ": " + verdict.label();
    }

    /** Every function's verdict, in the template's order. */
    public static List<AppVerdict> of(AppServer server) {
        List<AppVerdict> verdicts = new ArrayList<>();
        for (String id : server.functionIds()) {
            verdicts.add(of(server, id));
        }
        return verdicts;
    }

    static AppVerdict of(AppServer server, String id) {
        LocalApp app = server.app();
        RouteMetrics metrics = server.metrics(id);
        FunctionWatch watch = server.watch(id);
        boolean proxied = app.usesProxy(id);
        List<String> lines = new ArrayList<>();
        Map<String, Long> causes = metrics.errorsByCause();
        lines.add(String.format(Locale.ROOT, "requests %d: %d answered, %d errors%s, %d throttled, %d client errors (4xx)",
                metrics.requests(), metrics.ok(), metrics.errors(), causes.isEmpty() ? "" : " (" + causes.entrySet()
                        .stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                        .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")) + ")",
                metrics.throttled(), metrics.badRequests()));
        int inFlight = server.function(id).metrics().environmentsBusy();
        lines.add("environments: " + watch.peakEnvironments() + " at peak" + (inFlight > 0 ? ", " + inFlight
                + " still busy when it stopped (their requests are not counted)" : ""));
        if (causes.containsKey("TIMEOUT")) {
            lines.add(String.format(Locale.ROOT, "timeouts on this machine: %d cores for up to %d environments, where AWS"
                    + " gives each its own CPU; rerun with --timeout-s 60 to tell a slow machine from a slow function",
                    Runtime.getRuntime().availableProcessors(), watch.peakEnvironments()));
        }
        lines.add(String.format(Locale.ROOT, "connections %s: %d at peak, up to %d in one environment%s",
                proxied ? "to the proxy" : "to the database", watch.peakConnections(), watch.peakPerEnvironment(),
                watch.growing() ? ", growing with the requests an environment serves (a pool built per request?)"
                        : ""));
        int databasePeak = server.peakDatabaseConnections(id);
        lines.add(proxied
                ? String.format(Locale.ROOT, "database connections of the proxy: %d at peak, of its maximum %d (role limit %d)",
                        databasePeak, app.proxy().orElseThrow().poolSize(), app.database().appConnectionLimit())
                : String.format(Locale.ROOT, "database connections: %d at peak, role limit %d", databasePeak,
                        app.database().appConnectionLimit()));
        long pinned = app.pins(id).stream().mapToLong(c -> c.pins()).sum();
        if (proxied) {
            lines.add(pinned == 0 ? "pinned sessions: none" : "pinned sessions: " + pinned + " ("
                    + app.pins(id).stream().limit(3).map(c -> c.reason() + " x" + c.pins() + ": \"" + c.digest() + "\"")
                    .collect(Collectors.joining("; ")) + ")");
        }
        Budget budget = budget(app, id, watch, proxied, pinned > 0);
        lines.add("budget at the template's concurrency: " + budget.text());
        // testbed check's warning for Managed Instances (ManagedInstancesCheck): one connection for many threads.
        int threads = app.spec(id).managedInstances().map(m -> m.concurrency()).orElse(1);
        boolean starved = threads > 1 && watch.peakPerEnvironment() == 1;
        if (starved) {
            lines.add(String.format(Locale.ROOT, "Managed Instances: %d threads per environment share 1 connection, so"
                    + " requests queue for it (a pool of 1 is the rule for classic functions only: size it for the"
                    + " threads, docs/which-fix.md)", threads));
        }
        Verdict verdict = metrics.errors() > 0 ? Verdict.FAILS
                : budget.broken() || watch.growing() || pinned > 0 || starved ? Verdict.AT_RISK : Verdict.HOLDS;
        return new AppVerdict(id, verdict, lines);
    }

    /** The budget line and whether it breaks. */
    private record Budget(String text, boolean broken) {
    }

    private static Budget budget(LocalApp app, String id, FunctionWatch watch, boolean proxied, boolean pinned) {
        AppFunction spec = app.spec(id);
        long environments;
        String from;
        if (spec.managedInstances().isPresent()) {
            environments = spec.managedInstances().get().environmentBound()
                    .orElse(ManagedInstances.DEFAULT_MAX_ENVIRONMENTS);
            from = spec.managedInstances().get().environmentBoundSource();
        } else if (spec.reservedConcurrency().isPresent()) {
            environments = spec.reservedConcurrency().getAsInt();
            from = "reserved concurrency";
        } else {
            environments = app.plan().options().accountConcurrency();
            from = "account quota";
        }
        if (watch.growing()) {
            return new Budget(environments + " environments (" + from + ") x a pool per request: no bound", true);
        }
        int pool = Math.max(1, watch.peakPerEnvironment());
        long connections = environments * pool;
        String product = String.format(Locale.ROOT, "%d environments (%s) x %d connections = %d", environments, from,
                pool, connections);
        if (!proxied) {
            int limit = app.database().appConnectionLimit();
            return new Budget(product + (connections <= limit ? " <= " : " > ") + "the role's limit " + limit,
                    connections > limit);
        }
        int proxyMax = app.proxy().orElseThrow().poolSize();
        int clients = app.proxy().orElseThrow().maxClientConnections();
        if (pinned) {
            return new Budget(product + " client connections, pinned: each holds a database connection, "
                    + (connections <= proxyMax ? "<= " : "> ") + "the proxy's " + proxyMax, connections > proxyMax);
        }
        return new Budget(product + " client connections " + (connections <= clients ? "<= " : "> ") + "the proxy's"
                + " client limit " + clients + ", multiplexed onto its " + proxyMax + " database connections",
                connections > clients);
    }
}
