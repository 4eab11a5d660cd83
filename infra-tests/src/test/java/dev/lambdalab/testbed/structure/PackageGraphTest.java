package dev.lambdalab.testbed.structure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdalab.testbed.TestBed;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The test bed's package graph, read from its compiled classes by the JDK's own {@code jdeps}: no cycle between
 * packages, and the layering CONTRIBUTING.md describes (the emulator below the HTTP API side, the database below
 * the proxies, shared-db free of the test bed). Also: no class in main code over the size CONTRIBUTING.md allows
 * without a line here that says why.
 */
class PackageGraphTest {

    private static final String ROOT = "dev.lambdalab.testbed";
    private static final Pattern EDGE = Pattern.compile("^\\s+(\\S+)\\s+->\\s+(\\S+)");
    private static Map<String, Set<String>> graph;

    @BeforeAll
    static void readTheGraph() throws Exception {
        Path classes = Path.of(TestBed.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(classes).as("the test bed's classes, compiled").isDirectory();
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("no jdeps in this JDK"));
        StringWriter out = new StringWriter();
        int exit = jdeps.run(new PrintWriter(out), new PrintWriter(out), "-verbose:package", "-filter:none",
                "-e", ROOT.replace(".", "\\.") + ".*", classes.toString());
        assertThat(exit).as("jdeps: %s", out).isZero();
        graph = new TreeMap<>();
        for (String line : out.toString().split("\n")) {
            Matcher edge = EDGE.matcher(line);
            if (edge.find() && edge.group(2).startsWith(ROOT)) {
                String from = shortName(edge.group(1));
                String to = shortName(edge.group(2));
                graph.computeIfAbsent(from, key -> new TreeSet<>());
                if (!from.equals(to)) {
                    graph.get(from).add(to);
                }
            }
        }
        assertThat(graph).as("packages found by jdeps").containsKeys("lambda", "faults", "serve", "db", "proxy");
    }

    private static String shortName(String pkg) {
        return pkg.equals(ROOT) ? "(root)" : pkg.substring(ROOT.length() + 1);
    }

    @Test
    void noPackageDependsOnItselfThroughOthers() {
        List<List<String>> cycles = new ArrayList<>();
        for (String start : graph.keySet()) {
            List<String> path = findPath(start, start, new ArrayList<>(), new TreeSet<>());
            if (path != null) {
                cycles.add(path);
            }
        }
        assertThat(cycles).as("package cycles in %s", graph).isEmpty();
    }

    /** A path from {@code from} back to {@code target}, or null. */
    private static List<String> findPath(String from, String target, List<String> path, Set<String> seen) {
        path.add(from);
        for (String next : graph.getOrDefault(from, Set.of())) {
            if (next.equals(target)) {
                List<String> cycle = new ArrayList<>(path);
                cycle.add(next);
                return cycle;
            }
            if (seen.add(next)) {
                List<String> found = findPath(next, target, path, seen);
                if (found != null) {
                    return found;
                }
            }
        }
        path.remove(path.size() - 1);
        return null;
    }

    @Test
    void theEmulatorKnowsNothingOfTheHttpApiTheProxiesOrTheScenarios() {
        graph.forEach((pkg, uses) -> {
            if (pkg.equals("lambda") || pkg.startsWith("lambda.")) {
                assertThat(uses).as(pkg + "'s dependencies").doesNotContain("apigw", "load", "serve", "proxy",
                        "rdsproxy", "scenario", "faults", "(root)");
            }
        });
    }

    /**
     * Inside the emulator: the two isolations implement the sandbox contract and know neither each other nor the
     * rules above them; SnapStart's snapshots are of process environments, so {@code snapstart} sits on
     * {@code process}; the rules ({@code lambda} itself) use them all.
     */
    @Test
    void theEmulatorsIsolationsSitUnderItsRulesAndOverTheSandboxContract() {
        assertThat(uses("lambda.sandbox")).as("the sandbox contract's dependencies")
                .noneMatch(pkg -> pkg.startsWith("lambda"));
        assertThat(uses("lambda.classloader")).as("the class-loader isolation's dependencies")
                .doesNotContain("lambda", "lambda.process", "lambda.snapstart");
        assertThat(uses("lambda.process")).as("the process isolation's dependencies")
                .doesNotContain("lambda", "lambda.classloader", "lambda.snapstart");
        assertThat(uses("lambda.snapstart")).as("SnapStart's dependencies")
                .doesNotContain("lambda", "lambda.classloader").contains("lambda.process");
        assertThat(uses("lambda")).as("the rules' dependencies")
                .contains("lambda.sandbox", "lambda.classloader", "lambda.process", "lambda.snapstart");
    }

    private static Set<String> uses(String pkg) {
        assertThat(graph).as("packages found by jdeps").containsKey(pkg);
        return graph.get(pkg);
    }

    @Test
    void theHttpApiSideSitsDirectlyAboveTheEmulator() {
        assertThat(graph.get("apigw")).as("apigw's dependencies: API Gateway's events and answers over Lambda's")
                .isSubsetOf(Set.of("lambda"));
    }

    @Test
    void theProxyInterfaceKnowsNeitherProxyThatImplementsIt() {
        assertThat(graph.get("proxy")).as("proxy's dependencies").doesNotContain("rdsproxy", "pgbouncer");
        assertThat(graph.get("rdsproxy")).as("the emulator's dependencies").doesNotContain("pgbouncer");
    }

    @Test
    void theDatabaseKnowsNothingOfTheProxies() {
        assertThat(graph.get("db")).as("db's dependencies").doesNotContain("proxy", "rdsproxy", "pgbouncer", "lambda",
                "scenario");
    }

    @Test
    void theCommandLineIsALeaf() {
        graph.forEach((pkg, uses) -> assertThat(uses).as(pkg + "'s dependencies").doesNotContain("cli"));
    }

    /**
     * Size is a review guide, not a rule: a class past {@value #GUIDE} lines is listed in the test's output for the
     * next review to look at, and only one past {@value #HARD_BOUND} fails, a class that grew unchecked. Splitting a
     * class into a forwarding layer to stay under a line count is worse than the long class (CONTRIBUTING.md).
     */
    @Test
    void noClassInMainCodeGrowsPastTheHardBoundAndTheLongOnesAreListed() throws Exception {
        Map<String, Long> lengths = new TreeMap<>();
        for (String module : List.of(".", "../shared-db", "../functions")) {
            lengths.putAll(lengths(Path.of(module, "src/main/java")));
        }
        List<String> overGuide = lengths.entrySet().stream().filter(e -> e.getValue() > GUIDE)
                .map(e -> e.getKey() + " (" + e.getValue() + " lines)").toList();
        if (!overGuide.isEmpty()) {
            System.out.println("Classes over the " + GUIDE + "-line guide, for review: " + String.join(", ", overGuide));
        }
        assertThat(lengths).as("classes over %d lines: split them where a concern stands apart (CONTRIBUTING.md,"
                + " 'Size and shape')", HARD_BOUND).allSatisfy((name, lines) -> assertThat(lines).as(name)
                        .isLessThanOrEqualTo(HARD_BOUND));
    }

    private static final long GUIDE = 300;
    private static final long HARD_BOUND = 400;

    private static Map<String, Long> lengths(Path sources) throws IOException {
        assertThat(sources).as("main sources").isDirectory();
        Map<String, Long> lengths = new TreeMap<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                try (Stream<String> text = Files.lines(file)) {
                    lengths.put(file.getFileName().toString().replace(".java", ""), text.count());
                }
            }
        }
        return lengths;
    }
}
