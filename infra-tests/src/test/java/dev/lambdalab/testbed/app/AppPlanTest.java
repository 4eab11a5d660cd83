package dev.lambdalab.testbed.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdalab.testbed.lambda.ManagedInstances;
import dev.lambdalab.testbed.stack.AppTemplate;
import dev.lambdalab.testbed.stack.ManagedSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run of a user's template decided before anything starts: packages found in every layout Lambda accepts,
 * variables wired to the stand-ins or named as missing, env.json applied as sam local applies it, and every refusal
 * (a runtime that is not Java, a project not built, a handler not in the code) one line that says what to do.
 */
class AppPlanTest {

    /** The first bytes of a class file compiled for Java 17: magic, minor 0, major 61. */
    private static final byte[] JAVA_17_CLASS = {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 61};

    @TempDir
    Path directory;

    @BeforeEach
    void aFatJar() throws IOException {
        zip(directory.resolve("target/app.jar"), Map.of("com/example/Handler.class", JAVA_17_CLASS));
    }

    private static final String TEMPLATE = """
            Resources:
              Api:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: java17
                  Handler: com.example.Handler::handleRequest
                  CodeUri: %s
                  Environment:
                    Variables:
                      DB_HOST: !GetAtt Proxy.Endpoint
                      DB_PORT: "5432"
                      DIRECT: !GetAtt Db.Endpoint.Address
                      DIRECT_PORT: !GetAtt Db.Endpoint.Port
                      SECRET: !Ref Secret
                      QUEUE_URL: !Ref Queue
                      TABLE: !Ref Table
              Node:
                Type: AWS::Serverless::Function
                Properties: {Runtime: nodejs20.x, Handler: index.handler, CodeUri: src/}
              Secret:
                Type: AWS::SecretsManager::Secret
                Properties: {GenerateSecretString: {SecretStringTemplate: '{"username": "orders_app"}'}}
              Queue: {Type: AWS::SQS::Queue}
              Table: {Type: AWS::DynamoDB::Table}
              Db: {Type: AWS::RDS::DBInstance, Properties: {Engine: postgres, DBName: orders, DBInstanceClass: db.t4g.micro}}
              Proxy: {Type: AWS::RDS::DBProxy, Properties: {Auth: [{SecretArn: !Ref Secret}]}}
            """;

    private AppPlan plan(String codeUri, AppOptions options, Optional<String> only) throws IOException {
        Path file = directory.resolve("template.yaml");
        Files.writeString(file, TEMPLATE.formatted(codeUri));
        return AppPlan.prepare(AppTemplate.load(file, Map.of()), options, only, Optional.empty());
    }

    private Path envJson(String json) throws IOException {
        Path file = directory.resolve("env.json");
        Files.writeString(file, json);
        return file;
    }

    @Test
    void everyVariableThatRefersToWhatTheTestBedDoesNotStandInForIsNamedWithItsFunction() {
        assertThatThrownBy(() -> plan("target/app.jar", AppOptions.builder().build(), Optional.of("Api")))
                .hasMessageContaining("give them in -n env.json")
                .hasMessageContaining("Api: QUEUE_URL (!Ref Queue, an AWS::SQS::Queue)")
                .hasMessageContaining("Api: TABLE (!Ref Table, an AWS::DynamoDB::Table)");
    }

    @Test
    void theStacksDatabaseResourcesAreWiredToTheStandInsAndEnvJsonGivesTheRest() throws IOException {
        AppOptions options = AppOptions.builder().envVars(envJson("""
                {"Parameters": {"QUEUE_URL": "http://queue", "TABLE": "shared"}, "Api": {"TABLE": "orders"},
                 "Parameters2": {}}""")).build();
        assertThatThrownBy(() -> plan("target/app.jar", options, Optional.of("Api")))
                .hasMessage("-n names Parameters2, which is not a function of template.yaml");
        AppOptions good = AppOptions.builder().envVars(envJson("""
                {"Parameters": {"QUEUE_URL": "http://queue", "TABLE": "shared", "UNDECLARED": "x"},
                 "Api": {"TABLE": "orders"}}""")).build();
        AppPlan plan = plan("target/app.jar", good, Optional.of("Api"));
        Map<String, String> variables = plan.functions().get(0).wiring().variables();
        assertThat(variables.get("DB_HOST")).as("the proxy's endpoint").isEqualTo(plan.proxyAddress().orElseThrow()
                .host());
        assertThat(variables.get("DIRECT")).isEqualTo(plan.databaseAddress().host());
        assertThat(variables.get("DIRECT_PORT")).isEqualTo(Integer.toString(plan.databaseAddress().port()));
        assertThat(variables.get("SECRET")).startsWith("arn:aws:secretsmanager:us-east-1:000000000000:secret:Secret-");
        assertThat(variables.get("TABLE")).as("the function's own entry wins over Parameters").isEqualTo("orders");
        assertThat(variables.get("QUEUE_URL")).isEqualTo("http://queue");
        assertThat(variables).as("sam local sets only declared variables").doesNotContainKey("UNDECLARED");
        assertThat(plan.names().database()).isEqualTo("orders");
        assertThat(plan.names().appRole()).isEqualTo("orders_app");
        assertThat(plan.roleLimit()).as("db.t4g.micro's max_connections less the 3 RDS reserves").isEqualTo(109);
        assertThat(plan.refused()).isEmpty();
        AppPlan direct = plan("target/app.jar", AppOptions.builder().envVars(good.envVars().orElseThrow()).proxy(false)
                .build(), Optional.of("Api"));
        assertThat(direct.functions().get(0).wiring().variables().get("DB_HOST")).as("--proxy none: the database")
                .isEqualTo(direct.databaseAddress().host());
    }

    @Test
    void aRuntimeThatIsNotJavaIsRefusedNamingTheFunctionAndTheRuntime() {
        assertThatThrownBy(() -> plan("target/app.jar", AppOptions.builder().build(), Optional.of("Node")))
                .hasMessage("function Node has runtime nodejs20.x; the test bed runs java17, java21, java25 functions");
    }

    @Test
    void aProjectThatWasNotBuiltIsToldWhatToRun() throws IOException {
        Path project = Files.createDirectories(directory.resolve("project"));
        Files.writeString(project.resolve("pom.xml"), "<project/>");
        assertThatThrownBy(() -> plan("project", options(), Optional.of("Api"))).hasMessage("function Api's CodeUri"
                + " project is a Maven project: run mvn package there and point CodeUri at the jar it makes, or run sam"
                + " build and use .aws-sam/build/template.yaml");
        assertThatThrownBy(() -> plan("target/missing.jar", options(), Optional.of("Api")))
                .hasMessageContaining("function Api's CodeUri target/missing.jar does not exist")
                .hasMessageContaining("build it first");
        assertThatThrownBy(() -> plan("s3://bucket/app.zip", options(), Optional.of("Api")))
                .hasMessageContaining("is in S3 (s3://bucket/app.zip)");
    }

    @Test
    void aHandlerClassThatIsNotInTheCodeIsNamed() throws IOException {
        zip(directory.resolve("other.jar"), Map.of("com/example/Other.class", JAVA_17_CLASS));
        assertThatThrownBy(() -> plan("other.jar", options(), Optional.of("Api"))).hasMessage("function Api's handler"
                + " class com.example.Handler is not in other.jar (looked at its root and lib/*.jar): check Handler, or"
                + " rebuild the package");
    }

    @Test
    void aZipWithLibAndASamBuildDirectoryAreBothPackages() throws IOException {
        Path lib = directory.resolve("staging/lib/handler.jar");
        zip(lib, Map.of("com/example/Handler.class", JAVA_17_CLASS));
        zip(directory.resolve("app.zip"), Map.of("lib/handler.jar", Files.readAllBytes(lib)));
        AppPlan fromZip = plan("app.zip", options(), Optional.of("Api"));
        assertThat(fromZip.functions().get(0).code().classFileFeature()).isEqualTo(17);
        assertThat(fromZip.functions().get(0).code().taskRoot().resolve("lib/handler.jar")).isRegularFile();
        Path built = Files.createDirectories(directory.resolve(".aws-sam/build/Api/com/example"));
        Files.write(built.resolve("Handler.class"), JAVA_17_CLASS);
        AppPlan fromDirectory = plan(".aws-sam/build/Api", options(), Optional.of("Api"));
        assertThat(fromDirectory.functions().get(0).code().taskRoot()).isEqualTo(directory.resolve(".aws-sam/build/Api"));
    }

    @Test
    void envJsonThatIsNotSamsFormatIsRefusedNamingTheEntry() throws IOException {
        assertThatThrownBy(() -> EnvVarsFile.read(envJson("[1]"))).hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> EnvVarsFile.read(envJson("{\"Api\": \"x\"}")))
                .hasMessageContaining("\"Api\" must be an object of variables, got string");
        assertThatThrownBy(() -> EnvVarsFile.read(envJson("{\"Api\": {\"A\": [1]}}")))
                .hasMessageContaining("Api.A must be a string, number or boolean, got array");
        assertThatThrownBy(() -> EnvVarsFile.read(envJson("{")))
                .hasMessageContaining("is not valid JSON");
        assertThat(EnvVarsFile.read(envJson("{\"Api\": {\"N\": 5432, \"B\": true, \"Z\": null}}")).forFunction("Api"))
                .containsEntry("N", "5432").containsEntry("B", "true").containsEntry("Z", "");
    }

    @Test
    void aCapacityProviderConfigRunsTheFunctionOnManagedInstancesWithTheTemplatesFleet() {
        ManagedInstances managed = LocalApp.managedInstances(new ManagedSpec(64, 2, 3, OptionalInt.of(5),
                OptionalInt.empty(), OptionalInt.of(60)));
        assertThat(managed.perEnvironmentMaxConcurrency()).as("PerExecutionEnvironmentMaxConcurrency").isEqualTo(64);
        assertThat(managed.vcpusPerEnvironment()).isEqualTo(2);
        assertThat(managed.minEnvironments()).as("MinExecutionEnvironments").isEqualTo(3);
        assertThat(managed.maxEnvironments()).as("MaxExecutionEnvironments").isEqualTo(5);
        assertThat(managed.targetUtilizationPercent()).as("the provider's AverageCPUUtilization").isEqualTo(60);
        ManagedInstances bounded = LocalApp.managedInstances(new ManagedSpec(32, 1, 3, OptionalInt.empty(),
                OptionalInt.of(2), OptionalInt.empty()));
        assertThat(bounded.maxEnvironments()).as("MaxVCpuCount 2 / 1 vCPU").isEqualTo(2);
        assertThat(bounded.minEnvironments()).as("never above the bound").isEqualTo(2);
    }

    /** What every test but the first needs: the variables the stand-ins cannot give. */
    private AppOptions options() throws IOException {
        return AppOptions.builder().envVars(envJson("{\"Parameters\": {\"QUEUE_URL\": \"q\", \"TABLE\": \"t\"}}"))
                .build();
    }

    private static void zip(Path file, Map<String, byte[]> entries) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        }
    }
}
