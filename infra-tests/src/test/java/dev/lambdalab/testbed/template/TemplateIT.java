package dev.lambdalab.testbed.template;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdalab.db.Setting;
import dev.lambdalab.functions.http.ProbeRequest;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.stack.CloudFormationYaml;
import dev.lambdalab.testbed.stack.CloudFormationYaml.Intrinsic;
import dev.lambdalab.testbed.stack.StackCheck;
import dev.lambdalab.testbed.stack.StackCheck.Assumptions;
import dev.lambdalab.testbed.stack.StackCheck.Finding;
import dev.lambdalab.testbed.stack.StackCheck.Verdict;
import dev.lambdalab.testbed.stack.StackTemplate;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Holds template.yaml against the code: handlers, artifact, settings, the fixed function's pool and
 * proxy, the timeout budget and least privilege. An IT because it opens the packaged functions.jar.
 */
class TemplateIT {

    private static final Path ROOT = Path.of("..");
    private static final String JAR = "functions/target/functions.jar";

    private static Map<String, Object> template;
    private static Map<String, Object> resources;

    @BeforeAll
    static void load() throws Exception {
        template = CloudFormationYaml.load(ROOT.resolve("template.yaml"));
        resources = map(template.get("Resources"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value == null ? Map.of() : (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        return value == null ? List.of() : (List<Object>) value;
    }

    private static Map<String, Object> properties(String resource) {
        assertThat(resources).as("template resources").containsKey(resource);
        return map(map(resources.get(resource)).get("Properties"));
    }

    private static Map<String, Map<String, Object>> functions() {
        Map<String, Map<String, Object>> functions = new LinkedHashMap<>();
        resources.forEach((name, resource) -> {
            if ("AWS::Serverless::Function".equals(map(resource).get("Type"))) {
                functions.put(name, map(map(resource).get("Properties")));
            }
        });
        return functions;
    }

    private static Map<String, Object> variables(String function) {
        return map(map(properties(function).get("Environment")).get("Variables"));
    }

    private static Object parameterDefault(String parameter) {
        return map(map(template.get("Parameters")).get(parameter)).get("Default");
    }

    private static Map<String, Object> globals() {
        return map(map(template.get("Globals")).get("Function"));
    }

    @Test
    void everyHandlerNamesARequestHandlerClassInTheJar() throws Exception {
        Path jar = ROOT.resolve(JAR);
        assertThat(jar).as("the build makes %s (run ./mvnw package)", JAR).exists();
        assertThat(functions()).isNotEmpty();
        // Only the jar and the JDK: the jar must carry everything the handlers need.
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Class<?> requestHandler = Class.forName("com.amazonaws.services.lambda.runtime.RequestHandler", false, loader);
            for (Map.Entry<String, Map<String, Object>> function : functions().entrySet()) {
                String handler = (String) function.getValue().get("Handler");
                assertThat(handler).as("Handler of %s", function.getKey()).endsWith("::handleRequest");
                Class<?> type = Class.forName(handler.substring(0, handler.indexOf("::")), false, loader);
                assertThat(requestHandler.isAssignableFrom(type)).as("%s implements RequestHandler", type).isTrue();
                assertThat(type.getConstructor()).as("no-argument constructor of %s", type).isNotNull();
            }
        }
    }

    @Test
    void everyFunctionNamesTheJarItselfSoSamBuildCanRewriteThePath() {
        assertThat(globals()).as("sam build rewrites relative paths under Resources and Metadata, never Globals")
                .doesNotContainKey("CodeUri");
        functions().forEach((name, function) -> assertThat(function.get("CodeUri")).as("%s's CodeUri", name)
                .isEqualTo(JAR));
        // SAM CLI's move_template (samcli/commands/_utils/template.py): each relative CodeUri under Resources is
        // rewritten relative to the built template's directory, so sam deploy after sam build finds the same jar.
        Path built = ROOT.resolve(".aws-sam/build");
        Path rewritten = built.relativize(ROOT.resolve(JAR));
        assertThat(rewritten).as("the CodeUri of .aws-sam/build/template.yaml")
                .isEqualTo(Path.of("../../functions/target/functions.jar"));
        assertThat(built.resolve(rewritten).normalize()).as("resolved from the built template")
                .isEqualTo(ROOT.resolve(JAR).normalize());
    }

    @Test
    void onlyTheBrokenAndTheSetupFunctionCanReachTheInstanceTheFixedOnesOnlyTheProxy() {
        Map<String, Set<String>> ingressSources = new LinkedHashMap<>();
        Map<String, Set<String>> egressDestinations = new LinkedHashMap<>();
        resources.forEach((name, resource) -> {
            Map<String, Object> properties = map(map(resource).get("Properties"));
            String type = String.valueOf(map(resource).get("Type"));
            if (type.equals("AWS::EC2::SecurityGroupIngress")) {
                ingressSources.computeIfAbsent(ref(properties.get("GroupId")), k -> new TreeSet<>())
                        .add(ref(properties.get("SourceSecurityGroupId")));
            } else if (type.equals("AWS::EC2::SecurityGroupEgress")) {
                egressDestinations.computeIfAbsent(ref(properties.get("GroupId")), k -> new TreeSet<>())
                        .add(ref(properties.get("DestinationSecurityGroupId")));
            }
        });
        assertThat(ingressSources.get("DatabaseSecurityGroup")).as("who reaches the instance")
                .containsExactlyInAnyOrder("ProxySecurityGroup", "BrokenFunctionSecurityGroup", "SetupFunctionSecurityGroup");
        assertThat(egressDestinations.get("FunctionSecurityGroup")).as("where the fixed functions may connect")
                .containsExactlyInAnyOrder("ProxySecurityGroup", "EndpointSecurityGroup");
        functions().forEach((name, function) -> {
            Object groups = map(function.get("VpcConfig")).get("SecurityGroupIds");
            if (groups != null) {
                assertThat(list(groups).stream().map(TemplateIT::ref).toList()).as("%s's security group", name)
                        .containsExactly(switch (name) {
                            case "BrokenFunction" -> "BrokenFunctionSecurityGroup";
                            case "DatabaseSetupFunction" -> "SetupFunctionSecurityGroup";
                            default -> "FunctionSecurityGroup";
                        });
            }
        });
    }

    /**
     * The application role: RDS's master user (MasterSecret) is read by the setup function alone, which creates
     * DbUsername at deploy; the proxy and every function log in with DatabaseSecret, that role's credentials. The
     * custom resource runs only once its way to the database, Secrets Manager and S3 (its answer) exists, and the
     * proxy's target waits for it.
     */
    @Test
    void theFunctionsAndTheProxyLogInAsTheApplicationRoleWhichTheSetupFunctionCreatesAsTheMasterUser() {
        assertThat(String.valueOf(properties("Database").get("MasterUsername"))).as("the master user's name")
                .contains("MasterSecret");
        assertThat(list(properties("Proxy").get("Auth")).stream().map(auth -> ref(map(auth).get("SecretArn"))).toList())
                .as("the proxy's secrets").containsExactly("DatabaseSecret");
        functions().forEach((name, function) -> {
            assertThat(String.valueOf(variables(name).get("DB_SECRET_ARN"))).as("%s's DB_SECRET_ARN", name)
                    .contains(name.equals("DatabaseSetupFunction") ? "MasterSecret" : "DatabaseSecret");
            boolean readsMaster = String.valueOf(function.get("Policies")).contains("MasterSecret");
            assertThat(readsMaster).as("%s may read the master secret", name)
                    .isEqualTo(name.equals("DatabaseSetupFunction"));
        });
        assertThat(properties("DatabaseSetupFunction").get("Handler")).as("the setup function's handler")
                .isEqualTo("dev.lambdalab.functions.setup.ApplicationRoleResource::handleRequest");
        Map<String, Object> setup = map(resources.get("DatabaseSetup"));
        assertThat(setup.get("Type")).as("DatabaseSetup's type").isEqualTo("Custom::ApplicationRole");
        assertThat(String.valueOf(properties("DatabaseSetup").get("ServiceToken"))).as("its ServiceToken")
                .contains("DatabaseSetupFunction");
        assertThat(ref(properties("DatabaseSetup").get("ApplicationSecretArn"))).as("the role it creates")
                .isEqualTo("DatabaseSecret");
        assertThat(list(setup.get("DependsOn"))).as("what DatabaseSetup waits for").contains("MasterSecretAttachment",
                "SecretsManagerEndpoint", "S3GatewayEndpoint", "PrivateSubnetARouteTable", "PrivateSubnetBRouteTable",
                "SetupFunctionToDatabaseEgress", "DatabaseFromSetupFunctionIngress", "EndpointFromSetupFunctionIngress");
        assertThat(list(map(resources.get("ProxyTargetGroup")).get("DependsOn"))).as("what the proxy's target waits for")
                .contains("DatabaseSetup");
        assertThat(properties("S3GatewayEndpoint")).as("the S3 gateway endpoint")
                .containsEntry("VpcEndpointType", "Gateway");
        assertThat(list(properties("S3GatewayEndpoint").get("RouteTableIds")).stream().map(TemplateIT::ref).toList())
                .as("its route tables").containsExactly("PrivateRouteTable");
        for (String subnet : List.of("PrivateSubnetA", "PrivateSubnetB")) {
            assertThat(ref(properties(subnet + "RouteTable").get("SubnetId"))).as("%s's association", subnet)
                    .isEqualTo(subnet);
            assertThat(ref(properties(subnet + "RouteTable").get("RouteTableId"))).as("%s's route table", subnet)
                    .isEqualTo("PrivateRouteTable");
        }
    }

    private static String ref(Object value) {
        return value instanceof Intrinsic intrinsic && intrinsic.function().equals("Ref")
                ? String.valueOf(intrinsic.argument()) : String.valueOf(value);
    }

    @Test
    void theRuntimeIsAParameterDefaultingToJava25() {
        assertThat(globals().get("Runtime")).as("every function's runtime").hasToString(
                "Intrinsic[function=Ref, argument=Runtime]");
        Map<String, Object> parameter = map(map(template.get("Parameters")).get("Runtime"));
        assertThat(parameter.get("Default")).as("java25: SnapStart, Managed Instances, and JDK 25 here").isEqualTo("java25");
        assertThat(list(parameter.get("AllowedValues"))).containsExactlyInAnyOrder("java25", "java21");
    }

    @Test
    void everyVariableTheTemplateSetsIsASettingSharedDbKnows() {
        Set<String> known = Setting.configurable().stream().map(Setting::variable).collect(Collectors.toSet());
        functions().keySet().forEach(function -> assertThat(variables(function).keySet())
                .as("variables of %s", function).isSubsetOf(known));
    }

    @Test
    void noPasswordIsSetInTheTemplate() {
        functions().keySet().forEach(function -> {
            assertThat(variables(function)).as("%s", function).doesNotContainKey("DB_PASSWORD");
            assertThat(String.valueOf(variables(function).getOrDefault("DATABASE_URL", ""))).as("DATABASE_URL of %s is"
                    + " left empty in AWS (declared for `sam local invoke --env-vars`, or not at all)", function).isEmpty();
        });
    }

    @Test
    void theFixedFunctionHasAPoolOfOneBehindTheProxyWithBoundedConcurrency() {
        Map<String, Object> fixed = variables("FixedFunction");

        assertThat(fixed).containsEntry("POOL_MAX_SIZE", "1").containsEntry("DB_PREPARE_THRESHOLD", "0");
        assertThat(fixed.get("DB_HOST")).as("the fixed function connects to the proxy")
                .isEqualTo(new Intrinsic("GetAtt", "Proxy.Endpoint"));
        assertThat(properties("FixedFunction").get("ReservedConcurrentExecutions")).asString()
                .contains("FixedReservedConcurrency");
        assertThat(properties("FixedFunction").get("Handler")).asString().contains(".fixed.");
    }

    @Test
    void theBrokenFunctionGoesStraightToTheInstanceWithHikariDefaults() {
        Map<String, Object> broken = variables("BrokenFunction");

        assertThat(broken.get("DB_HOST")).isEqualTo(new Intrinsic("GetAtt", "Database.Endpoint.Address"));
        assertThat(broken.keySet()).as("no pool settings: the mistake keeps HikariCP's defaults")
                .noneMatch(name -> name.startsWith("POOL_"));
    }

    @Test
    void theTimeoutBudgetLeavesRoomForA503BeforeLambdaCutsTheCallerOff() {
        int functionTimeoutMillis = ((Number) globals().get("Timeout")).intValue() * 1000;
        int poolTimeout = Integer.parseInt((String) variables("FixedFunction").get("POOL_TIMEOUT_MS"));
        int borrowTimeout = ((Number) parameterDefault("ConnectionBorrowTimeout")).intValue() * 1000;

        assertThat(poolTimeout + borrowTimeout + ProbeRequest.MAX_HOLD_MS)
                .as("pool timeout + proxy wait + longest hold, against the function timeout")
                .isLessThan(functionTimeoutMillis);
        int socketTimeout = Integer.parseInt((String) variables("FixedFunction").get("DB_SOCKET_TIMEOUT_S")) * 1000;
        assertThat(socketTimeout).as("socket timeout above proxy wait + longest hold, below the function timeout")
                .isGreaterThan(borrowTimeout + ProbeRequest.MAX_HOLD_MS).isLessThan(functionTimeoutMillis);
        int maxLifetime = Integer.parseInt((String) variables("FixedFunction").get("POOL_MAX_LIFETIME_MS"));
        int idleClientTimeout = ((Number) parameterDefault("IdleClientTimeout")).intValue() * 1000;
        assertThat(maxLifetime).as("maxLifetime below the proxy's IdleClientTimeout").isLessThan(idleClientTimeout);
    }

    @Test
    void theProxyTakesItsPoolSettingsFromTheParametersTheTestBedMirrors() {
        Map<String, Object> pool = map(properties("ProxyTargetGroup").get("ConnectionPoolConfigurationInfo"));

        assertThat(pool.get("MaxConnectionsPercent")).isEqualTo(new Intrinsic("Ref", "MaxConnectionsPercent"));
        assertThat(pool.get("ConnectionBorrowTimeout")).isEqualTo(new Intrinsic("Ref", "ConnectionBorrowTimeout"));
        assertThat(properties("Proxy").get("IdleClientTimeout")).isEqualTo(new Intrinsic("Ref", "IdleClientTimeout"));
        assertThat(properties("Proxy")).containsEntry("EngineFamily", "POSTGRESQL").containsEntry("RequireTLS", true);
        assertThat(properties("DatabaseParameters").toString()).contains("max_connections");
    }

    @Test
    void theDatabaseIsPrivateEncryptedAndItsDeletionProtectionAParameter() {
        Map<String, Object> database = properties("Database");

        assertThat(database).containsEntry("PubliclyAccessible", false).containsEntry("StorageEncrypted", true);
        assertThat(database.get("DeletionProtection")).isEqualTo(new Intrinsic("Ref", "DeletionProtection"));
        assertThat(database.get("MasterUserPassword")).asString().contains("resolve:secretsmanager");
        assertThat(database.get("EngineVersion")).asString().startsWith("17");
    }

    @Test
    void noPolicyGrantsTheSecretOrRdsDbConnectOnEveryResource() {
        List<String> wildcardGrants = new ArrayList<>();
        collectStatements(template, wildcardGrants);
        assertThat(wildcardGrants).as("statements granting secretsmanager or rds-db on Resource \"*\"").isEmpty();
        assertThat(template.toString()).contains("rds-db:connect").contains("dbuser:${ProxyId}/${DbUsername}");
    }

    @SuppressWarnings("unchecked")
    private static void collectStatements(Object node, List<String> wildcardGrants) {
        if (node instanceof Map<?, ?> mapNode) {
            Object action = mapNode.get("Action");
            Object resource = mapNode.get("Resource");
            if (action != null && resource != null) {
                String actions = action.toString();
                boolean sensitive = actions.contains("secretsmanager") || actions.contains("rds-db");
                boolean wildcard = "*".equals(resource) || (resource instanceof List<?> list && list.contains("*"));
                if (sensitive && wildcard) {
                    wildcardGrants.add(mapNode.toString());
                }
            }
            ((Map<String, Object>) mapNode).values().forEach(value -> collectStatements(value, wildcardGrants));
        } else if (node instanceof List<?> listNode) {
            listNode.forEach(value -> collectStatements(value, wildcardGrants));
        } else if (node instanceof Intrinsic intrinsic) {
            collectStatements(intrinsic.argument(), wildcardGrants);
        }
    }

    @Test
    void withItsDefaultsTheStackDeploysInAnAccountWhoseConcurrencyQuotaIsTen() throws Exception {
        StackTemplate stack = StackTemplate.load(ROOT.resolve("template.yaml"));

        assertThat(parameterDefault("FixedReservedConcurrency")).as("reserved concurrency off by default").isEqualTo(0);
        assertThat(stack.condition("HasReservedConcurrency")).as("HasReservedConcurrency with the defaults").isFalse();
        List<Finding> quotaOfTen = new StackCheck(stack, new Assumptions(10, ProbeRequest.MAX_HOLD_MS)).run();
        assertThat(quotaOfTen).as("testbed check --account-concurrency 10").filteredOn(f -> f.rule()
                == StackCheck.Rule.RESERVED_CONCURRENCY).extracting(Finding::verdict).containsOnly(Verdict.OK);
        assertThat(StackCheck.passes(new StackCheck(stack, new Assumptions(1000, ProbeRequest.MAX_HOLD_MS)).run()))
                .as("testbed check on the template").isTrue();
    }

    @Test
    void samBuildCopiesThePackagedJarInsteadOfLookingForAPom() {
        functions().keySet().forEach(function -> assertThat(map(map(resources.get(function)).get("Metadata")))
                .as("Metadata of %s", function).containsEntry("SkipBuild", true));
    }

    @Test
    void theSubnetsTakeTheirZonesByIdWhenGivenElseByName() throws Exception {
        StackTemplate stack = StackTemplate.load(ROOT.resolve("template.yaml"));
        Object zone = properties("PrivateSubnetA").get("AvailabilityZone");
        Object zoneId = properties("PrivateSubnetA").get("AvailabilityZoneId");

        assertThat(stack.resolve(zone)).as("no zones given: the region's first").hasToString(
                "Intrinsic[function=Select, argument=[0, Intrinsic[function=GetAZs, argument=]]]");
        assertThat(stack.withParameter("AvailabilityZones", "eu-west-1b,eu-west-1c").resolve(zone))
                .as("zone names given").hasToString(
                        "Intrinsic[function=Select, argument=[0, Intrinsic[function=Ref, argument=AvailabilityZones]]]");
        StackTemplate byId = stack.withParameter("AvailabilityZoneIds", "use1-az1,use1-az2");
        assertThat(byId.resolve(zoneId)).as("zone IDs given: the same zones in every account").hasToString(
                "Intrinsic[function=Select, argument=[0, Intrinsic[function=Ref, argument=AvailabilityZoneIds]]]");
        assertThat(byId.resolve(zone)).as("and no zone name beside them").hasToString("AWS::NoValue");
        assertThat(stack.resolve(zoneId)).as("no zone IDs given").hasToString("AWS::NoValue");
    }

    @Test
    void smallerDeployPointsHold() {
        assertThat(properties("Database").get("EngineVersion")).as("a major version, which RDS never retires"
                + " before the major itself").isEqualTo("17");
        assertThat(properties("Database")).as("IAM auth is checked by the proxy, not the instance")
                .doesNotContainKey("EnableIAMDatabaseAuthentication");
        Map<String, Object> alarm = properties("DatabaseConnectionsAlarm");
        assertThat(alarm.get("Threshold")).as("alarm threshold, % of max_connections").isEqualTo(80);
        assertThat(alarm.get("Metrics").toString()).contains("100 * connections / ${MaxConnections}");
        Object proxyName = properties("Proxy").get("DBProxyName");
        assertThat(proxyName.toString()).as("the proxy's name never includes the stack's (up to 128 characters)")
                .doesNotContain("StackName").contains("AWS::StackId");
        assertThat("lab-proxy-".length() + 36).as("lab-proxy- and the stack id's UUID").isLessThanOrEqualTo(63);
    }

    @Test
    void theHttpApiHasOneRoutePerFunction() {
        Map<String, String> routes = new LinkedHashMap<>();
        functions().forEach((name, function) -> map(function.get("Events")).values().forEach(event -> {
            Map<String, Object> properties = map(map(event).get("Properties"));
            assertThat(map(event).get("Type")).isEqualTo("HttpApi");
            routes.put(properties.get("Method") + " " + properties.get("Path"), name);
        }));

        assertThat(routes).containsExactlyInAnyOrderEntriesOf(Map.of("GET /broken", "BrokenFunction",
                "GET /fixed", "FixedFunction", "GET /fixed-snapstart", "FixedSnapStartFunction",
                "GET /fixed-managed", "FixedManagedInstancesFunction"));
    }

    @Test
    void theSnapStartFunctionIsOptInAndSnapshotsOnlyItsPublishedVersionsWithTheHooksHandler() {
        Map<String, Object> function = map(resources.get("FixedSnapStartFunction"));
        Map<String, Object> properties = properties("FixedSnapStartFunction");

        assertThat(parameterDefault("SnapStartFunction")).as("off unless asked for").isEqualTo("false");
        assertThat(function.get("Condition")).isEqualTo("DeploySnapStart");
        assertThat(map(properties.get("SnapStart")).get("ApplyOn")).isEqualTo("PublishedVersions");
        assertThat(properties.get("AutoPublishAlias")).as("SnapStart needs a published version to invoke")
                .isEqualTo("live");
        assertThat(properties.get("Handler")).isEqualTo(Variant.FIXED_SNAPSTART.handlerClass() + "::handleRequest");
        assertThat(properties("FixedFunction")).as("the plain fixed function is not snapshotted")
                .doesNotContainKey("SnapStart");
        assertThat(properties.get("AutoPublishAliasAllProperties")).as("a new version when only variables change")
                .isEqualTo(true);
        assertThat(list(function.get("DependsOn"))).as("publishing runs init, which needs the secret and the proxy")
                .contains("SecretsManagerEndpoint", "FunctionToEndpointEgress", "EndpointFromFunctionIngress",
                        "FunctionToProxyEgress", "ProxyFromFunctionIngress", "ProxyTargetGroup");
    }

    @Test
    void withSnapStartTheReservationCountsForBothFixedFunctions() throws Exception {
        StackTemplate stack = StackTemplate.load(ROOT.resolve("template.yaml"))
                .withParameter("SnapStartFunction", "true").withParameter("FixedReservedConcurrency", "10");
        Map<Integer, Verdict> byQuota = new LinkedHashMap<>();
        for (int quota : new int[] {115, 120}) {
            byQuota.put(quota, new StackCheck(stack, new Assumptions(quota, ProbeRequest.MAX_HOLD_MS)).run().stream()
                    .filter(f -> f.rule() == StackCheck.Rule.RESERVED_CONCURRENCY).map(Finding::verdict)
                    .reduce((a, b) -> a == Verdict.VIOLATION ? a : b).orElseThrow());
        }
        assertThat(byQuota).as("10 reserved on each of two functions needs 2 x 10 + 100 = 120")
                .containsExactly(Map.entry(115, Verdict.VIOLATION), Map.entry(120, Verdict.OK));
    }

    @Test
    void theSnapStartFunctionConnectsExactlyAsTheFixedFunctionDoes() {
        assertThat(variables("FixedSnapStartFunction")).as("its variables mirror FixedFunction's")
                .isEqualTo(variables("FixedFunction"));
        assertThat(properties("FixedSnapStartFunction").get("Policies"))
                .isEqualTo(properties("FixedFunction").get("Policies"));
        assertThat(properties("FixedSnapStartFunction").get("ReservedConcurrentExecutions"))
                .isEqualTo(properties("FixedFunction").get("ReservedConcurrentExecutions"));
    }

    @Test
    void theManagedInstancesFunctionIsOptInAndRunsTheFixedHandlerWithAPoolSizedForItsThreads() {
        Map<String, Object> function = map(resources.get("FixedManagedInstancesFunction"));
        Map<String, Object> properties = properties("FixedManagedInstancesFunction");
        Map<String, Object> config = map(properties.get("CapacityProviderConfig"));

        assertThat(parameterDefault("ManagedInstancesFunction")).as("off unless asked for: it runs EC2 instances")
                .isEqualTo("false");
        assertThat(function.get("Condition")).isEqualTo("DeployManagedInstances");
        assertThat(map(resources.get("ManagedInstancesCapacityProvider"))).containsEntry("Type",
                "AWS::Serverless::CapacityProvider").containsEntry("Condition", "DeployManagedInstances");
        assertThat(properties.get("Handler")).as("the same handler: the fix on Managed Instances is a setting")
                .isEqualTo(Variant.FIXED.handlerClass() + "::handleRequest");
        assertThat(config.get("PerExecutionEnvironmentMaxConcurrency")).isEqualTo(32);
        assertThat((Integer) properties.get("MemorySize")).as("Managed Instances' smallest environment")
                .isGreaterThanOrEqualTo(2048);
        assertThat(properties).as("its network is its capacity provider's; SAM refuses both").doesNotContainKey(
                "VpcConfig");
        assertThat(globals()).as("so no function inherits a VpcConfig").doesNotContainKey("VpcConfig");
        Map<String, Object> fixed = new LinkedHashMap<>(variables("FixedFunction"));
        fixed.put("POOL_MAX_SIZE", "5");
        assertThat(variables("FixedManagedInstancesFunction")).as("FixedFunction's variables but the pool's size")
                .isEqualTo(fixed);
        assertThat(properties.get("Policies")).isEqualTo(properties("FixedFunction").get("Policies"));
    }

    @Test
    void theOutputsGiveBothUrlsAndBothEndpoints() {
        assertThat(map(template.get("Outputs")).keySet()).contains("BrokenUrl", "FixedUrl", "DatabaseEndpoint",
                "ProxyEndpoint");
        assertThat(resources.values()).anySatisfy(resource -> assertThat(map(resource).get("Type"))
                .isEqualTo("AWS::CloudWatch::Dashboard"));
        assertThat(Files.exists(ROOT.resolve("env.json"))).isTrue();
        assertThat(list(globals().get("Architectures"))).isNotEmpty();
    }
}
