package dev.lambdalab.testbed.stack;

import dev.lambdalab.db.ConnectionSpec;
import dev.lambdalab.db.DbConfigurationException;
import dev.lambdalab.db.DbSettings;
import dev.lambdalab.testbed.stack.FunctionSpec.Target;
import dev.lambdalab.testbed.stack.StackResources.ProxySpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The pre-deploy check of a stack like this one: the connection budget, the order of the timeouts, settings that
 * pin behind RDS Proxy, and reserved concurrency the account can give. cfn-lint checks that a template is valid;
 * this checks that what it describes cannot exhaust its database.
 */
public final class StackCheck {

    /** Lambda keeps this much of an account's concurrency unreserved (UnreservedConcurrentExecution's minimum). */
    public static final int MIN_UNRESERVED = 100;

    /** The account's concurrency quota when none is given: Lambda's default. */
    public static final int DEFAULT_ACCOUNT_CONCURRENCY = 1000;

    /** What a finding concerns. */
    public enum Rule {
        RESERVED_CONCURRENCY("reserved concurrency"),
        SETTINGS("settings"),
        CONNECTION_BUDGET("connection budget"),
        TIMEOUT_ORDER("timeout order"),
        PINNING("pinning"),
        /** Managed Instances: the pool against the environment's threads and the proxy's budget. */
        POOL_SIZE("pool size");

        private final String label;

        Rule(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** A finding's outcome. */
    public enum Verdict {
        OK, VIOLATION,
        /** Breaks the budget, and the template says it does so on purpose (the broken half of the pair). */
        ON_PURPOSE,
        /** Deploys and stays within its budget, but will not serve as it could (a pool of 1 with many threads). */
        WARNING
    }

    /** One line of the check's table. */
    public record Finding(Rule rule, String subject, String detail, Verdict verdict) {
    }

    /**
     * The account and the code, which a template does not say.
     *
     * @param accountConcurrency the account's concurrency quota ({@code aws lambda get-account-settings})
     * @param longestQueryMillis the longest a query may run (this project: holdMs at most 5000)
     * @param holdShare the share of a request's time it holds its connection, for the pool's size on Managed
     *     Instances (1: the whole request, as this project's handlers do)
     */
    public record Assumptions(int accountConcurrency, int longestQueryMillis, double holdShare) {

        /** Requests that hold their connection throughout. */
        public Assumptions(int accountConcurrency, int longestQueryMillis) {
            this(accountConcurrency, longestQueryMillis, 1.0);
        }

        public Assumptions {
            if (!(holdShare > 0 && holdShare <= 1)) {
                throw new IllegalArgumentException("holdShare must be above 0 and at most 1, got " + holdShare);
            }
            if (accountConcurrency < 1) {
                throw new IllegalArgumentException("accountConcurrency must be at least 1, got " + accountConcurrency);
            }
            if (longestQueryMillis < 0) {
                throw new IllegalArgumentException("longestQueryMillis must be 0 or more, got " + longestQueryMillis);
            }
        }
    }

    private final StackResources stack;
    private final Map<String, FunctionSpec> functions;
    private final Assumptions assumptions;

    public StackCheck(StackTemplate template, Assumptions assumptions) {
        this.stack = StackResources.of(template);
        this.functions = FunctionSpec.of(template);
        this.assumptions = assumptions;
    }

    public Map<String, FunctionSpec> functions() {
        return functions;
    }

    public StackResources stack() {
        return stack;
    }

    /** Every rule over every function, in the table's order. */
    public List<Finding> run() {
        List<Finding> findings = new ArrayList<>();
        reservedConcurrency(findings);
        Map<String, DbSettings> settings = settings(findings);
        budget(settings, findings);
        settings.forEach((name, read) -> timeouts(functions.get(name), read, findings));
        settings.forEach((name, read) -> {
            if (functions.get(name).target() == Target.PROXY) {
                pinning(functions.get(name), read, findings);
            }
        });
        return findings;
    }

    /**
     * Each pooled function's settings as its code reads them (shared-db's catalogue); a function whose variables
     * the catalogue refuses gets a violation naming them instead, and no further rules.
     */
    private Map<String, DbSettings> settings(List<Finding> findings) {
        Map<String, DbSettings> settings = new LinkedHashMap<>();
        for (FunctionSpec function : functions.values()) {
            if (function.poolPerInvocation() > 0) {
                continue; // it builds its own pools: the pool settings are not its
            }
            try {
                settings.put(function.name(), function.dbSettings());
                findings.add(new Finding(Rule.SETTINGS, function.name(), "its variables pass shared-db's catalogue, as"
                        + " its init reads them", Verdict.OK));
            } catch (DbConfigurationException e) {
                findings.add(new Finding(Rule.SETTINGS, function.name(), e.getMessage(), Verdict.VIOLATION));
            }
        }
        return settings;
    }

    /** True when no finding is a violation. */
    public static boolean passes(List<Finding> findings) {
        return findings.stream().noneMatch(f -> f.verdict() == Verdict.VIOLATION);
    }

    private void reservedConcurrency(List<Finding> findings) {
        int reserved = functions.values().stream().mapToInt(f -> f.reservedConcurrency().orElse(0)).sum();
        // Each function counts: with SnapStart on, the template's one parameter reserves for two functions.
        long reserving = functions.values().stream().filter(f -> f.reservedConcurrency().orElse(0) > 0).count();
        int left = assumptions.accountConcurrency() - reserved;
        String detail = String.format(Locale.ROOT, "%d reserved%s of an account quota of %d leaves %d unreserved;"
                + " Lambda keeps at least %d", reserved, reserving > 1 ? " by " + reserving + " functions" : "",
                assumptions.accountConcurrency(), left, MIN_UNRESERVED);
        if (reserved > 0 && left < MIN_UNRESERVED) {
            int most = assumptions.accountConcurrency() - MIN_UNRESERVED;
            detail += String.format(Locale.ROOT, ": the deploy fails (UnreservedConcurrentExecution below its minimum)"
                    + " after the database and the proxy are built; %s, or raise the quota to %d", most <= 0
                    ? "reserve none (0)" : reserving > 1 ? "reserve at most " + most + " in all" : "reserve at most "
                    + most, reserved + MIN_UNRESERVED);
        }
        findings.add(new Finding(Rule.RESERVED_CONCURRENCY, "account", detail,
                reserved > 0 && left < MIN_UNRESERVED ? Verdict.VIOLATION : Verdict.OK));
    }

    private void budget(Map<String, DbSettings> settings, List<Finding> findings) {
        int maxConnections = stack.maxConnections();
        int proxyConnections = stack.proxyDatabaseConnections();
        int direct = 0;
        for (FunctionSpec function : functions.values()) {
            int environments = function.reservedConcurrency().orElse(assumptions.accountConcurrency());
            String from = function.reservedConcurrency().isPresent() ? "reserved concurrency" : "account quota";
            if (function.poolPerInvocation() > 0) {
                findings.add(new Finding(Rule.CONNECTION_BUDGET, function.name(), String.format(Locale.ROOT,
                        "%s: a pool of %d per invocation, never closed: no bound (up to %d environments, %s)",
                        where(function), function.poolPerInvocation(), environments, from),
                        function.brokenOnPurpose() ? Verdict.ON_PURPOSE : Verdict.VIOLATION));
                continue;
            }
            if (!settings.containsKey(function.name())) {
                continue; // its settings were refused: reported above
            }
            if (function.declaredConnections().isPresent()) {
                int declared = function.declaredConnections().getAsInt();
                direct += function.target() == Target.PROXY ? 0 : declared;
                findings.add(new Finding(Rule.CONNECTION_BUDGET, function.name(), String.format(Locale.ROOT,
                        "%s: at most %d connection%s in all, as Metadata.ConnectionBudget.Connections declares",
                        where(function), declared, declared == 1 ? "" : "s"), Verdict.OK));
                continue;
            }
            if (function.managedInstances().isPresent()) {
                DbSettings read = settings.get(function.name());
                findings.add(ManagedInstancesCheck.poolSize(function, function.managedInstances().get(), read,
                        proxyConnections, assumptions.holdShare()));
                direct += ManagedInstancesCheck.budget(function, function.managedInstances().get(), read,
                        proxyConnections, where(function), findings);
                continue;
            }
            int pool = settings.get(function.name()).poolMaxSize();
            long clients = (long) environments * pool;
            if (function.target() == Target.PROXY) {
                findings.add(new Finding(Rule.CONNECTION_BUDGET, function.name(), String.format(Locale.ROOT,
                        "to the proxy: %d environments (%s) x pool %d = %d client connections, multiplexed onto the"
                                + " proxy's %d database connections", environments, from, pool, clients,
                        proxyConnections), Verdict.OK));
            } else {
                direct += (int) Math.min(Integer.MAX_VALUE, clients);
                findings.add(new Finding(Rule.CONNECTION_BUDGET, function.name(), String.format(Locale.ROOT,
                        "%s: %d environments (%s) x pool %d = %d connections", where(function), environments, from,
                        pool, clients), Verdict.OK));
            }
        }
        long total = (long) proxyConnections + direct + StackResources.RESERVED_FOR_SUPERUSERS;
        String detail = String.format(Locale.ROOT, "max_connections %d (%s): proxy %d (%d %%) + direct %d + reserved for"
                        + " superusers %d = %d %s %d", maxConnections,
                stack.maxConnectionsEstimated() ? "RDS's default for " + stack.instanceClass() + ", at most"
                        : "parameter group", proxyConnections,
                stack.proxy().map(ProxySpec::maxConnectionsPercent).orElse(0), direct,
                StackResources.RESERVED_FOR_SUPERUSERS, total, total <= maxConnections ? "<=" : ">", maxConnections);
        findings.add(new Finding(Rule.CONNECTION_BUDGET, "database", detail,
                total <= maxConnections ? Verdict.OK : Verdict.VIOLATION));
    }

    private static String where(FunctionSpec function) {
        return switch (function.target()) {
            case PROXY -> "to the proxy";
            case DATABASE -> "straight to the database";
            case UNKNOWN -> "to DB_HOST";
        };
    }

    private void timeouts(FunctionSpec function, DbSettings settings, List<Finding> findings) {
        long timeout = function.timeoutSeconds() * 1000L;
        long pool = settings.poolTimeoutMillis();
        long socket = settings.socketTimeoutSeconds() * 1000L;
        long query = assumptions.longestQueryMillis();
        boolean proxy = function.target() == Target.PROXY;
        long borrow = proxy ? stack.proxy().map(p -> p.borrowTimeoutSeconds() * 1000L).orElse(0L) : 0;
        long request = pool + borrow + query;
        String requestDetail = proxy
                ? String.format(Locale.ROOT, "pool %s + ConnectionBorrowTimeout %s + longest query %s = %s %s function"
                        + " timeout %s", s(pool), s(borrow), s(query), s(request), request < timeout ? "<" : ">=",
                        s(timeout))
                : String.format(Locale.ROOT, "pool %s + longest query %s = %s %s function timeout %s", s(pool),
                        s(query), s(request), request < timeout ? "<" : ">=", s(timeout));
        if (proxy && borrow >= timeout) {
            requestDetail += String.format(Locale.ROOT, ": %s of borrow wait inside a %s function", s(borrow),
                    s(timeout));
        }
        findings.add(new Finding(Rule.TIMEOUT_ORDER, function.name(), requestDetail,
                request < timeout ? Verdict.OK : Verdict.VIOLATION));
        // Behind RDS Proxy a query cannot be cancelled (it does not forward CancelRequest): the socket timeout is
        // its only bound, so it must outlast the proxy's wait plus the longest query and end before Lambda does.
        long floor = borrow + query;
        boolean socketOk = socket > floor && socket < timeout;
        findings.add(new Finding(Rule.TIMEOUT_ORDER, function.name(), String.format(Locale.ROOT,
                "%s %s %s DB_SOCKET_TIMEOUT_S %s %s function timeout %s%s", proxy ? "ConnectionBorrowTimeout + longest"
                        + " query" : "longest query", s(floor), floor < socket ? "<" : ">=", s(socket),
                socket < timeout ? "<" : ">=", s(timeout),
                proxy ? " (RDS Proxy does not forward cancel requests: the socket timeout bounds a query)" : ""),
                socketOk ? Verdict.OK : Verdict.VIOLATION));
        if (proxy && stack.proxy().isPresent()) {
            long lifetime = settings.poolMaxLifetimeMillis();
            long idle = stack.proxy().get().idleClientTimeoutSeconds() * 1000L;
            findings.add(new Finding(Rule.TIMEOUT_ORDER, function.name(), String.format(Locale.ROOT,
                    "POOL_MAX_LIFETIME_MS %s %s IdleClientTimeout %s", s(lifetime), lifetime < idle ? "<" : ">=",
                    s(idle)),
                    lifetime < idle ? Verdict.OK : Verdict.VIOLATION));
        }
    }

    private static void pinning(FunctionSpec function, DbSettings settings, List<Finding> findings) {
        Map<String, String> parameters = settings.jdbcParameters();
        List<String> problems = new ArrayList<>();
        if (parameters.containsKey("options")) {
            problems.add("DB_JDBC_PARAMS sets options=" + parameters.get("options") + ": RDS Proxy refuses startup"
                    + " options, and as SET statements they would pin every session");
        }
        String assumed = parameters.getOrDefault("assumeMinServerVersion", ConnectionSpec.ASSUME_MIN_SERVER_VERSION);
        if (versionBelow9(assumed)) {
            problems.add("DB_JDBC_PARAMS sets assumeMinServerVersion=" + assumed + ": pgjdbc then sends SET"
                    + " extra_float_digits and SET application_name after each login, and RDS Proxy pins every session");
        }
        findings.add(new Finding(Rule.PINNING, function.name(), problems.isEmpty()
                ? "no SET at connection setup (assumeMinServerVersion " + assumed + ", no startup options)"
                : String.join("; ", problems), problems.isEmpty() ? Verdict.OK : Verdict.VIOLATION));
    }

    private static boolean versionBelow9(String version) {
        try {
            return Double.parseDouble(version.replaceAll("^(\\d+(\\.\\d+)?).*", "$1")) < 9.0;
        } catch (NumberFormatException e) {
            return true; // pgjdbc ignores an unparsable version, and then sends the SETs
        }
    }

    private static String s(long millis) {
        return millis % 1000 == 0 ? (millis / 1000) + " s" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
