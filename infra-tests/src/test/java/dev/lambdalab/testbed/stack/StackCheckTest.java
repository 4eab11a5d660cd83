package dev.lambdalab.testbed.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdalab.testbed.stack.StackCheck.Assumptions;
import dev.lambdalab.testbed.stack.StackCheck.Finding;
import dev.lambdalab.testbed.stack.StackCheck.Rule;
import dev.lambdalab.testbed.stack.StackCheck.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** testbed check's rules, each against the repository's template and one variant that breaks it. */
class StackCheckTest {

    private static final Path TEMPLATE = Path.of("..", "template.yaml");
    private static final Assumptions DEFAULTS = new Assumptions(1000, 5000);

    @TempDir
    Path temp;

    private static List<Finding> check(StackTemplate template, Assumptions assumptions) {
        return new StackCheck(template, assumptions).run();
    }

    private static List<Finding> violations(List<Finding> findings) {
        return findings.stream().filter(f -> f.verdict() == Verdict.VIOLATION).toList();
    }

    /** The repository's template with one line replaced. */
    private StackTemplate variant(String line, String replacement) throws IOException {
        String text = Files.readString(TEMPLATE);
        assertThat(text).as("the template has the line to replace").contains(line);
        Path file = temp.resolve("template.yaml");
        Files.writeString(file, text.replace(line, replacement));
        return StackTemplate.load(file);
    }

    @Test
    void theRepositorysTemplatePassesWithTheBrokenFunctionReportedAsOnPurpose() throws Exception {
        List<Finding> findings = check(StackTemplate.load(TEMPLATE), DEFAULTS);

        assertThat(violations(findings)).as("violations").isEmpty();
        assertThat(findings).as("the broken function's budget").anySatisfy(f -> {
            assertThat(f.subject()).isEqualTo("BrokenFunction");
            assertThat(f.verdict()).isEqualTo(Verdict.ON_PURPOSE);
        });
        assertThat(findings).extracting(Finding::detail).as("the database's budget, in numbers")
                .contains("max_connections 30 (parameter group): proxy 15 (50 %) + direct 1 + reserved for superusers"
                        + " 3 = 19 <= 30");
        assertThat(findings).as("the setup function's budget, as its metadata declares it").anySatisfy(f -> {
            assertThat(f.subject()).isEqualTo("DatabaseSetupFunction");
            assertThat(f.detail()).isEqualTo("straight to the database: at most 1 connection in all, as"
                    + " Metadata.ConnectionBudget.Connections declares");
        });
    }

    @Test
    void aBorrowTimeoutLongerThanTheFunctionBreaksTheTimeoutOrderInNumbers() throws Exception {
        List<Finding> findings = check(StackTemplate.load(TEMPLATE).withParameter("ConnectionBorrowTimeout", "30"),
                DEFAULTS);

        assertThat(violations(findings)).extracting(Finding::rule).containsOnly(Rule.TIMEOUT_ORDER);
        assertThat(violations(findings)).extracting(Finding::detail).contains(
                "pool 3 s + ConnectionBorrowTimeout 30 s + longest query 5 s = 38 s >= function timeout 15 s: 30 s of"
                        + " borrow wait inside a 15 s function");
    }

    @Test
    void aReservationTheAccountCannotGiveIsNamedWithTheQuota() throws Exception {
        List<Finding> findings = check(StackTemplate.load(TEMPLATE).withParameter("FixedReservedConcurrency", "10"),
                new Assumptions(10, 5000));

        assertThat(violations(findings)).singleElement().satisfies(f -> {
            assertThat(f.rule()).isEqualTo(Rule.RESERVED_CONCURRENCY);
            assertThat(f.detail()).startsWith("10 reserved of an account quota of 10 leaves 0 unreserved; Lambda keeps"
                    + " at least 100").contains("raise the quota to 110");
        });
        assertThat(violations(check(StackTemplate.load(TEMPLATE).withParameter("FixedReservedConcurrency", "10"),
                new Assumptions(1000, 5000)))).as("the same reservation in a default account").isEmpty();
    }

    @Test
    void aProxyTakingEveryConnectionLeavesNoneForTheSuperusersReserve() throws Exception {
        List<Finding> findings = check(StackTemplate.load(TEMPLATE).withParameter("MaxConnectionsPercent", "100"),
                DEFAULTS);

        assertThat(violations(findings)).singleElement().satisfies(f -> {
            assertThat(f.rule()).isEqualTo(Rule.CONNECTION_BUDGET);
            assertThat(f.detail()).contains("proxy 30 (100 %)", "= 34 > 30");
        });
    }

    @Test
    void aFunctionWithAPoolPerEnvironmentStraightToTheDatabaseCountsEnvironmentsTimesPool() throws Exception {
        StackTemplate direct = variant("DB_HOST: !GetAtt Proxy.Endpoint", "DB_HOST: !GetAtt Database.Endpoint.Address");

        List<Finding> findings = check(direct.withParameter("FixedReservedConcurrency", "20"), DEFAULTS);

        assertThat(findings).extracting(Finding::detail).contains("straight to the database: 20 environments"
                + " (reserved concurrency) x pool 1 = 20 connections");
        assertThat(violations(findings)).extracting(Finding::detail).anyMatch(d -> d.contains("direct 21")
                && d.contains("= 39 > 30"));
    }

    @Test
    void aPoolOutlivingTheProxysIdleClientTimeoutIsAViolation() throws Exception {
        List<Finding> findings = check(StackTemplate.load(TEMPLATE).withParameter("IdleClientTimeout", "60"), DEFAULTS);

        assertThat(violations(findings)).extracting(Finding::detail)
                .containsExactly("POOL_MAX_LIFETIME_MS 600 s >= IdleClientTimeout 60 s");
    }

    @Test
    void aQueryTimeoutAboveTheSocketTimeoutIsAViolation() throws Exception {
        StackTemplate template = variant("          POOL_MAX_SIZE: \"1\"",
                "          POOL_MAX_SIZE: \"1\"\n          DB_QUERY_TIMEOUT_S: \"20\"");

        // shared-db's catalogue refuses it, as the function's init would: the check reports its words
        assertThat(violations(check(template, DEFAULTS))).singleElement().satisfies(f -> {
            assertThat(f.rule()).isEqualTo(Rule.SETTINGS);
            assertThat(f.detail()).contains("DB_QUERY_TIMEOUT_S", "DB_SOCKET_TIMEOUT_S (12s)", "\"20\"");
        });
    }

    @Test
    void settingsThatWouldPinBehindRdsProxyAreNamed() throws Exception {
        StackTemplate old = variant("          POOL_MAX_SIZE: \"1\"",
                "          POOL_MAX_SIZE: \"1\"\n          DB_JDBC_PARAMS: \"assumeMinServerVersion=8.4\"");
        StackTemplate options = variant("          POOL_MAX_SIZE: \"1\"",
                "          POOL_MAX_SIZE: \"1\"\n          DB_JDBC_PARAMS: \"options=-c%20search_path%3Dlab\"");

        assertThat(violations(check(old, DEFAULTS))).singleElement().satisfies(f -> {
            assertThat(f.rule()).isEqualTo(Rule.PINNING);
            assertThat(f.detail()).contains("assumeMinServerVersion=8.4", "pins every session");
        });
        assertThat(violations(check(options, DEFAULTS))).singleElement().satisfies(f ->
                assertThat(f.detail()).contains("options=-c search_path=lab", "refuses startup options"));
    }

    @Test
    void aPoolPerInvocationNotMarkedAsOnPurposeIsAViolation() throws Exception {
        StackTemplate template = variant("        BrokenOnPurpose: true", "        BrokenOnPurpose: false");

        assertThat(violations(check(template, DEFAULTS))).singleElement().satisfies(f -> {
            assertThat(f.subject()).isEqualTo("BrokenFunction");
            assertThat(f.detail()).contains("a pool of 10 per invocation, never closed: no bound");
        });
    }

    @Test
    void withoutAMaxConnectionsParameterRdssFormulaForTheClassApplies() throws Exception {
        StackTemplate template = variant("        max_connections: !Ref MaxConnections\n", "");

        StackResources stack = new StackCheck(template, DEFAULTS).stack();

        assertThat(stack.maxConnectionsEstimated()).isTrue();
        assertThat(stack.maxConnections()).as("LEAST(1 GiB / 9531392, 5000) for db.t4g.micro").isEqualTo(112);
    }

    @Test
    void badParametersNameTheParameterTheValueAndWhatIsAllowed() throws Exception {
        StackTemplate template = StackTemplate.load(TEMPLATE);

        assertThatThrownBy(() -> template.withParameter("MaxConnections", "10"))
                .hasMessage("parameter MaxConnections must be from 20 to 5000, got 10");
        assertThatThrownBy(() -> template.withParameter("FixedFunctionAuth", "kerberos"))
                .hasMessage("parameter FixedFunctionAuth must be one of [secrets-manager, iam], got \"kerberos\"");
        assertThatThrownBy(() -> template.withParameter("Nope", "1")).hasMessageStartingWith(
                "parameter Nope is not in template.yaml; its parameters are MaxConnections");
    }

    private static List<Finding> managed(List<Finding> findings) {
        return findings.stream().filter(f -> f.subject().equals("FixedManagedInstancesFunction")).toList();
    }

    @Test
    void theManagedInstancesFunctionPassesWithItsPoolSizedByLittlesLawAndTheProxysBudget() throws Exception {
        List<Finding> findings = check(StackTemplate.load(TEMPLATE).withParameter("ManagedInstancesFunction", "true"),
                DEFAULTS);

        assertThat(violations(findings)).as("violations").isEmpty();
        assertThat(managed(findings)).extracting(Finding::detail).contains(
                "pool 5 (POOL_MAX_SIZE): 32 threads x hold share 1 = 32 connections needed; 15 proxy connections / 3"
                        + " environments at most = 5 per environment; right size 5",
                "to the proxy: 3 environments (MaxExecutionEnvironments) x pool 5 = 15 connections <= the proxy's 15"
                        + " database connections");
        assertThat(check(StackTemplate.load(TEMPLATE), DEFAULTS)).as("off by default: not checked")
                .noneSatisfy(f -> assertThat(f.subject()).isEqualTo("FixedManagedInstancesFunction"));
    }

    @Test
    void aPoolOfOneOnManagedInstancesIsNamedAsTheBottleneckWithTheRightSize() throws Exception {
        StackTemplate poolOfOne = variant("          POOL_MAX_SIZE: \"5\"", "          POOL_MAX_SIZE: \"1\"")
                .withParameter("ManagedInstancesFunction", "true");

        List<Finding> findings = check(poolOfOne, DEFAULTS);

        assertThat(managed(findings)).filteredOn(f -> f.rule() == Rule.POOL_SIZE).singleElement().satisfies(f -> {
            assertThat(f.verdict()).isEqualTo(Verdict.WARNING);
            assertThat(f.detail()).startsWith("pool of 1 with 32 threads per environment: the bottleneck. The pool of 1 is"
                    + " the rule for classic Lambda; here 31 threads queue on its connection and fail with POOL_TIMEOUT"
                    + " after 3000 ms.").endsWith("set POOL_MAX_SIZE to 5, or leave it unset for one per thread");
        });
        assertThat(StackCheck.passes(findings)).as("a warning, not a violation: it deploys and stays in budget").isTrue();
    }

    @Test
    void aPoolOfOnePerThreadBreaksTheProxysBudgetInNumbers() throws Exception {
        StackTemplate unset = variant("          POOL_MAX_SIZE: \"5\"\n", "").withParameter("ManagedInstancesFunction",
                "true");

        List<Finding> findings = check(unset, DEFAULTS);

        assertThat(violations(findings)).singleElement().satisfies(f -> {
            assertThat(f.rule()).isEqualTo(Rule.CONNECTION_BUDGET);
            assertThat(f.subject()).isEqualTo("FixedManagedInstancesFunction");
            assertThat(f.detail()).isEqualTo("to the proxy: 3 environments (MaxExecutionEnvironments) x pool 32 = 96"
                    + " connections > the proxy's 15 database connections: a pool beyond 5 only queues at the proxy (up"
                    + " to ConnectionBorrowTimeout) instead of in the pool");
        });
    }

    @Test
    void withoutMaxExecutionEnvironmentsTheCapacityProvidersVcpusBoundTheFleet() throws Exception {
        StackTemplate bounded = variant("        MaxExecutionEnvironments: 3\n", "")
                .withParameter("ManagedInstancesFunction", "true");

        List<Finding> findings = check(bounded, DEFAULTS);

        assertThat(violations(findings)).singleElement().satisfies(f -> assertThat(f.detail()).isEqualTo(
                "to the proxy: 8 environments (capacity provider MaxVCpuCount 8 / 1 vCPU) x pool 5 = 40 connections >"
                        + " the proxy's 15 database connections: a pool beyond 1 only queues at the proxy (up to"
                        + " ConnectionBorrowTimeout) instead of in the pool"));
    }

    @Test
    void aShorterHoldNeedsFewerConnectionsByLittlesLaw() throws Exception {
        List<Finding> findings = check(StackTemplate.load(TEMPLATE).withParameter("ManagedInstancesFunction", "true"),
                new Assumptions(1000, 5000, 0.1));

        assertThat(managed(findings)).filteredOn(f -> f.rule() == Rule.POOL_SIZE).singleElement().satisfies(f ->
                assertThat(f.detail()).isEqualTo("pool 5 (POOL_MAX_SIZE): 32 threads x hold share 0.10 = 4 connections"
                        + " needed; 15 proxy connections / 3 environments at most = 5 per environment; right size 4"));
    }
}
