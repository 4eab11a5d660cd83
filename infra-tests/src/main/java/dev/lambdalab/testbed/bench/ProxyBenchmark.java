package dev.lambdalab.testbed.bench;

import dev.lambdalab.testbed.db.LabDatabase;
import dev.lambdalab.testbed.db.PostgresTools;
import dev.lambdalab.testbed.proxy.Proxy;
import dev.lambdalab.testbed.proxy.ProxyKind;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.TestBed;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code testbed bench proxy}: the RDS Proxy emulator against its peers in one run. The latency a proxy adds
 * to a {@code SELECT 1} round trip (against PgBouncer's and against no proxy), pgbench's throughput through
 * each proxy with the same hold and database connections, and the memory of idle client connections held by
 * {@code testbed proxy} in its own JVM.
 */
public final class ProxyBenchmark {

    /** Latency of one round trip, in microseconds. */
    public record Latency(double medianMicros, double p99Micros) {
    }

    /** One pgbench run: transactions, failures and transactions per second. */
    public record Pgbench(long transactions, long failed, double tps) {
    }

    /** Resident memory and heap after a full collection of {@code testbed proxy}, before and with the clients. */
    public record IdleClients(int clients, long rssBeforeMb, long rssAfterMb, long heapBeforeMb, long heapAfterMb,
            int clientConnectionsSeen) {
    }

    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+)");
    private static final Pattern PROCESSED = Pattern.compile("number of transactions actually processed: (\\d+)");
    private static final Pattern FAILED = Pattern.compile("number of failed transactions: (\\d+)");

    private ProxyBenchmark() {
    }

    /** The proxies' settings here: 50 % of the role's limit of 10, so 5 database connections each. */
    public static ProxySettings settings(int maxClients) {
        return ProxySettings.DEFAULTS.withMaxClientConnections(maxClients);
    }

    /**
     * {@code n} timed {@code SELECT 1} round trips on one connection, after {@code 2 n} untimed ones, straight
     * or through the proxy. The warm-up is the same for every peer; the emulator needs it, as JVM code does,
     * before the JIT has compiled its path (measured: 359, 231, 166 us medians in three rounds of 20,000).
     */
    public static Latency roundTrips(TestBed testBed, Proxy proxy, int n) throws SQLException {
        String host = proxy == null ? testBed.server().host() : proxy.host();
        int port = proxy == null ? testBed.server().port() : proxy.port();
        long[] nanos = new long[n];
        try (Connection connection = connect(testBed, host, port); Statement statement = connection.createStatement()) {
            for (int i = 0; i < 2 * n; i++) {
                statement.execute("SELECT 1");
            }
            for (int i = 0; i < n; i++) {
                long start = System.nanoTime();
                statement.execute("SELECT 1");
                nanos[i] = System.nanoTime() - start;
            }
        }
        Arrays.sort(nanos);
        return new Latency(nanos[n / 2] / 1000.0, nanos[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)] / 1000.0);
    }

    /**
     * pgbench through the proxy: {@code clients} clients, 2 threads, each transaction {@code SELECT pg_sleep}
     * for {@code holdMillis}, simple protocol (PgBouncer 1.18 in transaction mode cannot run -M prepared).
     */
    public static Optional<Pgbench> pgbench(TestBed testBed, Proxy proxy, int clients, int seconds, int holdMillis)
            throws IOException, InterruptedException {
        Optional<Path> binary = PostgresTools.find("pgbench");
        if (binary.isEmpty()) {
            return Optional.empty();
        }
        Path script = Files.createTempFile("bench-hold", ".sql");
        try {
            Files.writeString(script, "SELECT pg_sleep(" + holdMillis / 1000.0 + ");\n");
            ProcessBuilder builder = new ProcessBuilder(binary.get().toString(), "-n", "-M", "simple", "-c",
                    Integer.toString(clients), "-j", "2", "-T", Integer.toString(seconds), "-f", script.toString(),
                    "-h", proxy.host(), "-p", Integer.toString(proxy.port()), "-U", LabDatabase.APP_ROLE,
                    LabDatabase.DATABASE).redirectErrorStream(true);
            builder.environment().put("PGPASSWORD", testBed.lab().appPassword());
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("pgbench did not end");
            }
            return Optional.of(new Pgbench(number(output, PROCESSED), number(output, FAILED),
                    Double.parseDouble(group(output, TPS))));
        } finally {
            Files.deleteIfExists(script);
        }
    }

    /**
     * pgbench's own tables for its select-only script ({@code -S}), made as the superuser and readable by the
     * application role: 100,000 accounts, one branch (scale 1), as {@code pgbench -i -s 1} makes them.
     */
    public static void preparePgbenchTables(TestBed testBed) throws SQLException {
        try (Connection admin = testBed.server().superuserConnection(LabDatabase.DATABASE);
                Statement statement = admin.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS pgbench_accounts, pgbench_branches");
            statement.execute("CREATE TABLE pgbench_branches (bid int PRIMARY KEY, bbalance int, filler char(88))");
            statement.execute("CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int,"
                    + " filler char(84))");
            statement.execute("INSERT INTO pgbench_branches VALUES (1, 0, '')");
            statement.execute("INSERT INTO pgbench_accounts SELECT aid, 1, 0, '' FROM generate_series(1, 100000) aid");
            statement.execute("ANALYZE pgbench_accounts, pgbench_branches");
            statement.execute("GRANT SELECT ON pgbench_accounts, pgbench_branches TO " + LabDatabase.APP_ROLE);
        }
    }

    /** One pgbench run through the proxy (plain TCP), with its script's arguments. */
    static Pgbench runPgbench(TestBed testBed, Path binary, Proxy proxy, List<String> script, int clients,
            int seconds) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "-n"));
        command.addAll(script);
        command.addAll(List.of("-c", Integer.toString(clients), "-j", "2", "-T", Integer.toString(seconds), "-h",
                proxy.host(), "-p", Integer.toString(proxy.port()), "-U", LabDatabase.APP_ROLE, LabDatabase.DATABASE));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("PGPASSWORD", testBed.lab().appPassword());
        builder.environment().put("PGSSLMODE", "disable");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("pgbench did not end");
        }
        return new Pgbench(number(output, PROCESSED), number(output, FAILED), Double.parseDouble(group(output, TPS)));
    }

    /** {@code testbed proxy} in its own JVM holding {@code clients} idle client connections. */
    public static IdleClients idleClients(TestBed testBed, int clients) throws Exception {
        try (ProxyProcess proxy = ProxyProcess.start(testBed.server().host(), testBed.server().port(),
                LabDatabase.APP_ROLE, testBed.lab().appPassword(), LabDatabase.DATABASE,
                List.of("--max-clients", Integer.toString(clients + 100), "--max-connections", "5",
                        "--metrics-interval-s", "3600"))) {
            long rssBefore = proxy.residentMb();
            long heapBefore = proxy.heapUsedAfterGcMb();
            List<Connection> connections = new ArrayList<>();
            ExecutorService logins = Executors.newFixedThreadPool(8);
            try {
                List<Future<Connection>> opened = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    opened.add(logins.submit(() -> connect(testBed, "127.0.0.1", proxy.port())));
                }
                for (Future<Connection> connection : opened) {
                    connections.add(connection.get());
                }
                long heapAfter = proxy.heapUsedAfterGcMb();
                long rssAfter = proxy.residentMb();
                int seen = 0;
                for (Connection connection : connections) {
                    seen += connection.isClosed() ? 0 : 1;
                }
                return new IdleClients(clients, rssBefore, rssAfter, heapBefore, heapAfter, seen);
            } finally {
                logins.shutdownNow();
                for (Connection connection : connections) {
                    connection.close();
                }
                proxy.stop();
            }
        }
    }

    /** Starts the proxy of this kind with the benchmark's settings. */
    public static Proxy start(TestBed testBed, ProxyKind kind) {
        return testBed.startProxy(kind, settings(1000));
    }

    private static Connection connect(TestBed testBed, String host, int port) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", LabDatabase.APP_ROLE);
        properties.setProperty("password", testBed.lab().appPassword());
        properties.setProperty("prepareThreshold", "0"); // the same protocol through every peer
        properties.setProperty("assumeMinServerVersion", "9.0");
        properties.setProperty("connectTimeout", "10");
        properties.setProperty("socketTimeout", "60");
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + LabDatabase.DATABASE,
                properties);
    }

    private static long number(String output, Pattern pattern) {
        return Long.parseLong(group(output, pattern));
    }

    private static String group(String output, Pattern pattern) {
        Matcher matcher = pattern.matcher(output);
        if (!matcher.find()) {
            throw new IllegalStateException("pgbench printed no " + pattern.pattern() + ": " + output.strip());
        }
        return matcher.group(1);
    }
}
