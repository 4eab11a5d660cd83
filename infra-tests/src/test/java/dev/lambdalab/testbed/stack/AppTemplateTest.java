package dev.lambdalab.testbed.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdalab.testbed.apigw.ApiRoute;
import dev.lambdalab.testbed.stack.CloudFormationYaml.Intrinsic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a user's template: found as sam local finds it, in YAML or JSON, short or long form, evaluated to text. */
class AppTemplateTest {

    @TempDir
    Path directory;

    private static final String YAML = """
            Transform: AWS::Serverless-2016-10-31
            Parameters:
              Stage: {Type: String, Default: dev, AllowedValues: [dev, prod]}
              Subnets: {Type: CommaDelimitedList, Default: "a,b"}
              NoDefault: {Type: String}
            Conditions:
              IsProd: !Equals [!Ref Stage, prod]
            Mappings:
              Sizes: {dev: {Pool: "1"}, prod: {Pool: "4"}}
            Globals:
              Function:
                Runtime: java21
                MemorySize: 1024
                Environment: {Variables: {STAGE: !Ref Stage}}
            Resources:
              Api:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: com.example.Api::handleRequest
                  CodeUri: target/api.jar
                  Timeout: 20
                  ReservedConcurrentExecutions: !If [IsProd, 50, !Ref AWS::NoValue]
                  Environment:
                    Variables:
                      DB_HOST: !GetAtt Proxy.Endpoint
                      DB_URL: !Sub "jdbc:postgresql://${Proxy.Endpoint}:5432/${AWS::StackName}"
                      SECRET: !Ref Secret
                      POOL: !FindInMap [Sizes, !Ref Stage, Pool]
                      FIRST_SUBNET: !Select [0, !Ref Subnets]
                      JOINED: !Join ["-", [a, !Ref Stage]]
                      QUEUE: !Ref Queue
                      RESOLVED: "{{resolve:ssm:/x}}"
                  Events:
                    Get: {Type: HttpApi, Properties: {Path: "/orders/{id}", Method: get}}
                    Any: {Type: HttpApi}
                    Rest: {Type: Api, Properties: {Path: /legacy, Method: post}}
                    Queue: {Type: SQS, Properties: {Queue: !GetAtt Queue.Arn}}
              ProdOnly:
                Type: AWS::Serverless::Function
                Condition: IsProd
                Properties: {Handler: x.Y, CodeUri: y.jar}
              Secret:
                Type: AWS::SecretsManager::Secret
                Properties:
                  GenerateSecretString: {SecretStringTemplate: '{"username": "orders_app"}', GenerateStringKey: password}
              Other:
                Type: AWS::SecretsManager::Secret
                Properties: {SecretString: '{"apiKey": "x"}'}
              Queue: {Type: AWS::SQS::Queue}
              Db:
                Type: AWS::RDS::DBInstance
                Properties: {Engine: postgres, DBInstanceClass: db.t4g.small, DBName: orders}
              Proxy:
                Type: AWS::RDS::DBProxy
                Properties:
                  RequireTLS: true
                  Auth: [{AuthScheme: SECRETS, SecretArn: !Ref Secret}]
            """;

    private AppTemplate load(String text, Map<String, String> parameters) throws IOException {
        Path file = directory.resolve("template.yaml");
        Files.writeString(file, text);
        return AppTemplate.load(file, parameters);
    }

    @Test
    void longFormAndJsonTemplatesReadAsTheShortForm() throws IOException {
        Path json = directory.resolve("template.json");
        Files.writeString(json, "{\n\t\"Resources\": {\"F\": {\"Type\": \"AWS::Serverless::Function\", \"Properties\": {"
                + "\"Environment\": {\"Variables\": {\"H\": {\"Fn::GetAtt\": [\"P\", \"Endpoint\"]},"
                + " \"S\": {\"Ref\": \"Secret\"}, \"J\": {\"Fn::Join\": [\"\", [\"a\", {\"Ref\": \"AWS::Region\"}]]}}}}}}}");
        Map<String, Object> variables = StackTemplate.map(StackTemplate.map(StackTemplate.map(StackTemplate.map(
                StackTemplate.map(CloudFormationYaml.load(json).get("Resources")).get("F")).get("Properties"))
                .get("Environment")).get("Variables"));
        assertThat(variables.get("H")).as("Fn::GetAtt's list is the dotted text").isEqualTo(new Intrinsic("GetAtt",
                "P.Endpoint"));
        assertThat(variables.get("S")).isEqualTo(new Intrinsic("Ref", "Secret"));
        assertThat(variables.get("J")).isInstanceOf(Intrinsic.class);
        Path policy = directory.resolve("policy.yaml");
        Files.writeString(policy, "Resources: {R: {Type: X, Properties: {Condition: {StringEquals: {a: b}}}}}");
        assertThat(StackTemplate.map(StackTemplate.map(StackTemplate.map(CloudFormationYaml.load(policy)
                .get("Resources")).get("R")).get("Properties")).get("Condition"))
                .as("an IAM Condition block stays a mapping").isInstanceOf(Map.class);
    }

    @Test
    void expressionsEvaluateToWhatADeployWouldGiveWithTheStandInsResources() throws Exception {
        AppTemplate template = load(YAML, Map.of("NoDefault", "x"));
        TemplateExpressions expressions = new TemplateExpressions(template.stack(), new TemplateExpressions.Resources() {
            @Override
            public Optional<String> ref(String logicalId, String type) {
                return type.equals("AWS::SecretsManager::Secret") ? Optional.of("arn:secret:" + logicalId)
                        : Optional.empty();
            }

            @Override
            public Optional<String> attribute(String logicalId, String type, String attribute) {
                return attribute.equals("Endpoint") ? Optional.of("127.0.0.2") : Optional.empty();
            }
        }, "eu-west-1", "orders");
        Map<String, Object> variables = template.function("Api").variables();
        assertThat(text(expressions, variables.get("DB_HOST"))).isEqualTo("127.0.0.2");
        assertThat(text(expressions, variables.get("DB_URL"))).isEqualTo("jdbc:postgresql://127.0.0.2:5432/orders");
        assertThat(text(expressions, variables.get("SECRET"))).isEqualTo("arn:secret:Secret");
        assertThat(text(expressions, variables.get("POOL"))).isEqualTo("1");
        assertThat(text(expressions, variables.get("FIRST_SUBNET"))).isEqualTo("a");
        assertThat(text(expressions, variables.get("JOINED"))).isEqualTo("a-dev");
        assertThat(text(expressions, variables.get("STAGE"))).as("from Globals").isEqualTo("dev");
        assertThatThrownBy(() -> expressions.text(variables.get("QUEUE"))).isInstanceOf(TemplateExpressions.Unresolved.class)
                .hasMessage("!Ref Queue, an AWS::SQS::Queue");
        assertThatThrownBy(() -> expressions.text(variables.get("RESOLVED")))
                .hasMessageContaining("a dynamic reference ({{resolve:ssm:/x}})");
        assertThat(expressions.text(new Intrinsic("Ref", "AWS::NoValue"))).as("AWS::NoValue leaves it out").isEmpty();
    }

    private static String text(TemplateExpressions expressions, Object value) {
        try {
            return expressions.text(value).orElseThrow();
        } catch (TemplateExpressions.Unresolved e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    @Test
    void functionsRoutesAndDatabaseComeFromTheTemplateAndItsParameters() throws IOException {
        AppTemplate dev = load(YAML, Map.of());
        assertThat(dev.functions()).extracting(AppFunction::logicalId).as("ProdOnly's condition is false")
                .containsExactly("Api");
        AppFunction api = dev.function("Api");
        assertThat(api.runtime()).contains("java21");
        assertThat(api.memoryMb()).as("Globals").isEqualTo(1024);
        assertThat(api.timeoutSeconds()).isEqualTo(20);
        assertThat(api.reservedConcurrency()).as("!If with NoValue").isEmpty();
        assertThat(api.handlerClass()).isEqualTo("com.example.Api");
        assertThat(api.routes()).extracting(ApiRoute::routeKey, ApiRoute::payloadVersion).containsExactly(
                org.assertj.core.groups.Tuple.tuple("GET /orders/{id}", "2.0"),
                org.assertj.core.groups.Tuple.tuple("$default", "2.0"),
                org.assertj.core.groups.Tuple.tuple("POST /legacy", "1.0"));
        AppTemplate prod = load(YAML, AppTemplate.parseOverrides(List.of("Stage=prod",
                "ParameterKey=NoDefault,ParameterValue=x")));
        assertThat(prod.functions()).extracting(AppFunction::logicalId).containsExactly("Api", "ProdOnly");
        assertThat(prod.function("Api").reservedConcurrency()).hasValue(50);
        assertThatThrownBy(() -> dev.function("Nope")).hasMessage("function Nope is not in " + dev.file()
                + "; its functions are Api");
        assertThatThrownBy(() -> load(YAML, Map.of("Stage", "qa"))).hasMessageContaining("must be one of [dev, prod]");
        assertThat(dev.database().name()).isEqualTo("orders");
        assertThat(dev.database().user()).as("the proxy's secret's username").contains("orders_app");
        assertThat(dev.databaseSecrets()).as("the secret without a username is not the database's")
                .containsExactly("Secret");
        assertThat(dev.proxyRequiresTls()).isTrue();
        assertThat(dev.proxy()).isPresent();
        assertThatThrownBy(() -> AppTemplate.parseOverrides(List.of("nonsense")))
                .hasMessageContaining("\"nonsense\" is neither Key=Value nor ParameterKey=Key,ParameterValue=Value");
    }

    @Test
    void aTemplateIsFoundAsSamLocalFindsOne() throws IOException {
        assertThatThrownBy(() -> AppTemplate.locate(null, directory)).hasMessageContaining("no template in")
                .hasMessageContaining(".aws-sam/build/template.yaml, template.yaml, template.yml, template.json");
        Files.writeString(directory.resolve("template.yml"), "Resources: {}");
        assertThat(AppTemplate.locate(null, directory)).isEqualTo(directory.resolve("template.yml"));
        Path built = directory.resolve(AppTemplate.BUILD_TEMPLATE);
        Files.createDirectories(built.getParent());
        Files.writeString(built, "Resources: {}");
        assertThat(AppTemplate.locate(null, directory)).as("sam build's template first, without -t").isEqualTo(built);
        assertThat(AppTemplate.locate(directory.resolve("template.yml"), directory)).as("-t names the one to read")
                .isEqualTo(directory.resolve("template.yml"));
        assertThatThrownBy(() -> AppTemplate.locate(directory.resolve("missing.yaml"), directory))
                .hasMessageContaining("missing.yaml does not exist");
    }

    @Test
    void anEngineOtherThanPostgresqlIsRefusedByName() throws IOException {
        AppTemplate template = load("Resources: {Db: {Type: AWS::RDS::DBInstance, Properties: {Engine: mysql}}}",
                Map.of());
        assertThatThrownBy(template::database).hasMessage("Db's Engine is mysql; the test bed's database is PostgreSQL"
                + " (postgres, aurora-postgresql)");
    }
}
