package dev.lambdalab.testbed.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdalab.testbed.cli.TestbedCliTestSupport;
import dev.lambdalab.testbed.cli.TestbedCliTestSupport.Run;
import dev.lambdalab.testbed.support.LabExtension;
import dev.lambdalab.testbed.support.OrdersExample;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code testbed invoke} on code nobody here shaped for it: the example project unmodified, the same code laid out
 * as {@code sam build} leaves it and as a zip with {@code lib/}, under templates written in other styles (JSON and
 * long-form intrinsics, a REST API event, RDS's own master-user secret, straight to the instance), and the refusals
 * that must name what is wrong before anything starts.
 */
class AppInvokeIT {

    @TempDir
    Path directory;

    private Path example;

    @BeforeEach
    void processIsolation() {
        LabExtension.assumeProcessIsolation();
        example = OrdersExample.directory();
    }

    @Test
    void invokePrintsLambdasReportLineTheAnswerAndThePinOfTheUnmodifiedExample() {
        Run run = TestbedCliTestSupport.run("invoke", "-t", example.resolve("template.yaml").toString(), "-e",
                example.resolve("events/get-order.json").toString(), "--init-sql",
                example.resolve("schema.sql").toString());
        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isZero();
        assertThat(run.out()).as("the answer on stdout").contains("Ada Lovelace").contains("\"statusCode\":200");
        assertThat(run.err()).as("Lambda's lines").containsPattern("START RequestId: \\S+ Version: \\$LATEST")
                .containsPattern("REPORT RequestId: \\S+\tDuration: [\\d.]+ ms\tBilled Duration: \\d+ ms\tMemory Size:"
                        + " 1024 MB\tMax Memory Used: \\d+ MB\tInit Duration: [\\d.]+ ms");
        assertThat(run.err()).as("the wiring, told").contains("DB_HOST = 127.0.0.2 (the RDS Proxy emulator, for"
                + " !GetAtt OrdersProxy.Endpoint)");
        assertThat(run.err()).as("the pin, with its reason and digest").contains("pinned sessions: 1")
                .contains("1 x SESSION_SETTING: \"set application_name = $1\"");
        assertThat(run.err()).as("connections the request left behind").containsPattern(
                "connections its environment still holds \\(frozen until the next request\\): [1-9]");
    }

    @Test
    void aVariableThatRefersToSomethingElseIsNamedAndNothingStarts() throws Exception {
        String template = Files.readString(example.resolve("template.yaml"))
                .replace("CodeUri: target/orders-api.jar", "CodeUri: " + example.resolve("target/orders-api.jar"))
                .replace("          DB_NAME: orders\n", "          DB_NAME: orders\n          AUDIT_QUEUE: !Ref Audit\n")
                .replace("  OrdersDbSecret:\n", "  Audit:\n    Type: AWS::SQS::Queue\n\n  OrdersDbSecret:\n");
        Path file = OrdersExample.write(directory.resolve("template.yaml"), template);
        long start = System.nanoTime();
        Run run = TestbedCliTestSupport.run("invoke", "-t", file.toString());
        assertThat(run.exitCode()).as("a usage error: %s", run.err()).isEqualTo(2);
        assertThat(run.err()).contains("give them in -n env.json")
                .contains("OrdersFunction: AUDIT_QUEUE (!Ref Audit, an AWS::SQS::Queue)");
        assertThat(System.nanoTime() - start).as("refused before PostgreSQL starts").isLessThan(10_000_000_000L);
        Path env = OrdersExample.write(directory.resolve("env.json"), "{\"OrdersFunction\": {\"AUDIT_QUEUE\": \"q\"}}");
        Run given = TestbedCliTestSupport.run("invoke", "-t", file.toString(), "-n", env.toString(), "-e",
                example.resolve("events/get-order.json").toString(), "--init-sql", example.resolve("schema.sql")
                        .toString());
        assertThat(given.exitCode()).as("with env.json it runs: %s", given.err()).isZero();
        assertThat(given.err()).contains("AUDIT_QUEUE from env.json");
    }

    @Test
    void aRuntimeThatIsNotJavaIsRefusedNamingTheFunctionAndTheRuntime() throws Exception {
        Path file = OrdersExample.write(directory.resolve("template.yaml"), """
                Resources:
                  Web:
                    Type: AWS::Serverless::Function
                    Properties: {Runtime: python3.13, Handler: app.handler, CodeUri: src/}
                """);
        Run run = TestbedCliTestSupport.run("invoke", "-t", file.toString(), "Web");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("function Web has runtime python3.13; the test bed runs java17, java21, java25"
                + " functions");
    }

    @Test
    void aSamBuildDirectoryUnderItsBuiltTemplateRunsBehindTheProxy() throws Exception {
        Path build = directory.resolve(".aws-sam/build");
        OrdersExample.samBuildLayout(build.resolve("OrdersFunction"));
        // sam build rewrites CodeUri to the function's directory beside the built template.
        String template = Files.readString(example.resolve("template.yaml"))
                .replace("CodeUri: target/orders-api.jar", "CodeUri: OrdersFunction");
        Path file = OrdersExample.write(build.resolve("template.yaml"), template);
        Run run = TestbedCliTestSupport.run("invoke", "-t", file.toString(), "-e",
                example.resolve("events/get-order.json").toString(), "--init-sql", example.resolve("schema.sql")
                        .toString());
        assertThat(run.exitCode()).as("stderr: %s", run.err()).isZero();
        assertThat(run.out()).contains("Ada Lovelace");
        assertThat(run.err()).contains("pinned sessions: 1");
    }

    @Test
    void aZipWithLibUnderAJsonTemplateInLongFormGoesStraightToTheInstanceWithRdsManagedSecret() throws Exception {
        OrdersExample.samBuildLayout(directory.resolve("package"));
        Path file = OrdersExample.write(directory.resolve("template.json"), """
                {
                  "AWSTemplateFormatVersion": "2010-09-09",
                  "Transform": "AWS::Serverless-2016-10-31",
                  "Resources": {
                    "Orders": {
                      "Type": "AWS::Serverless::Function",
                      "Properties": {
                        "Runtime": "java17", "MemorySize": 512, "Timeout": 20,
                        "Handler": "com.example.orders.OrdersHandler::handleRequest",
                        "CodeUri": "orders-api.zip",
                        "Environment": {"Variables": {
                          "DB_HOST": {"Fn::GetAtt": ["Db", "Endpoint.Address"]},
                          "DB_PORT": {"Fn::GetAtt": ["Db", "Endpoint.Port"]},
                          "DB_NAME": {"Fn::Join": ["", ["ord", "ers"]]},
                          "DB_SECRET_ARN": {"Fn::GetAtt": ["Db", "MasterUserSecret.SecretArn"]}
                        }},
                        "Events": {"Get": {"Type": "Api", "Properties": {"Path": "/orders/{id}", "Method": "get"}}}
                      }
                    },
                    "Db": {
                      "Type": "AWS::RDS::DBInstance",
                      "Properties": {"Engine": "postgres", "DBInstanceClass": "db.t4g.micro", "DBName": "orders",
                        "MasterUsername": "orders_app", "ManageMasterUserPassword": true}
                    }
                  }
                }
                """);
        Path event = OrdersExample.write(directory.resolve("rest-event.json"), """
                {"resource": "/orders/{id}", "path": "/orders/2", "httpMethod": "GET", "pathParameters": {"id": "2"},
                 "requestContext": {"stage": "Prod"}, "isBase64Encoded": false}
                """);
        Run run = TestbedCliTestSupport.run("invoke", "-t", file.toString(), "-e", event.toString(), "--init-sql",
                example.resolve("schema.sql").toString());
        assertThat(run.exitCode()).as("stderr: %s", run.err()).isZero();
        assertThat(run.out()).contains("Alan Turing");
        assertThat(run.err()).contains("java17").doesNotContain("RDS Proxy emulator on")
                .containsPattern("connections opened to the database endpoint: [1-9]");
    }
}
