package dev.lambdalab.testbed.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdalab.testbed.cli.TestbedCliTestSupport;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;
import software.amazon.awssdk.services.cloudformation.model.Output;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;

/** The AWS tier without AWS: stack outputs, metric queries and answers, error wording, the dry run. */
class AwsTierTest {

    private static Output output(String key, String value) {
        return Output.builder().outputKey(key).outputValue(value).build();
    }

    private static final List<Output> OUTPUTS = List.of(
            output("BrokenUrl", "https://abc.execute-api.eu-west-1.amazonaws.com/broken"),
            output("FixedUrl", "https://abc.execute-api.eu-west-1.amazonaws.com/fixed"),
            output("DatabaseEndpoint", "lab-db.xyz.eu-west-1.rds.amazonaws.com"),
            output("DatabaseInstanceId", "lab-database-1a2b"),
            output("ProxyName", "lab-proxy"),
            output("BrokenFunctionName", "lab-BrokenFunction-AbC"),
            output("FixedFunctionName", "lab-FixedFunction-DeF"));

    @Test
    void stackOutputsAndParametersAreRead() {
        StackOutputs stack = StackOutputs.from("lab", OUTPUTS, List.of(
                Parameter.builder().parameterKey("MaxConnections").parameterValue("40").build(),
                Parameter.builder().parameterKey("MaxConnectionsPercent").parameterValue("25").build()));

        assertThat(stack.brokenUrl()).endsWith("/broken");
        assertThat(stack.fixedUrl()).endsWith("/fixed");
        assertThat(stack.proxyName()).isEqualTo("lab-proxy");
        assertThat(stack.maxConnections()).isEqualTo(40);
        assertThat(stack.proxyDatabaseConnections()).isEqualTo(10);
    }

    @Test
    void missingOutputsAreNamedInOneLine() {
        assertThatThrownBy(() -> StackOutputs.from("other", OUTPUTS.subList(0, 2), List.of()))
                .isInstanceOf(AwsExperimentException.class)
                .hasMessage("stack other has no output DatabaseInstanceId, ProxyName, BrokenFunctionName,"
                        + " FixedFunctionName: is it a stack of this repository's template.yaml?");
    }

    @Test
    void everyMetricTheIssueNamesIsQueriedWithItsDimension() {
        StackOutputs stack = StackOutputs.from("lab", OUTPUTS, List.of());
        List<AwsMetrics.Query> queries = AwsMetrics.queries(stack);

        assertThat(queries).extracting(Object::toString).contains(
                "AWS/RDS DatabaseConnections DBInstanceIdentifier=lab-database-1a2b Maximum",
                "AWS/RDS ClientConnections ProxyName=lab-proxy Sum",
                "AWS/RDS DatabaseConnections ProxyName=lab-proxy Sum",
                "AWS/RDS DatabaseConnectionsCurrentlySessionPinned ProxyName=lab-proxy Sum",
                "AWS/Lambda Errors FunctionName=lab-BrokenFunction-AbC Sum",
                "AWS/Lambda Throttles FunctionName=lab-FixedFunction-DeF Sum",
                "AWS/Lambda ConcurrentExecutions FunctionName=lab-FixedFunction-DeF Maximum");
        GetMetricDataRequest request = AwsMetrics.request(queries, Instant.parse("2026-11-28T10:00:20Z"),
                Instant.parse("2026-11-28T10:00:50Z"));
        assertThat(request.startTime()).as("widened to whole minutes").isEqualTo(Instant.parse("2026-11-28T10:00:00Z"));
        assertThat(request.endTime()).isEqualTo(Instant.parse("2026-11-28T10:01:00Z"));
        assertThat(request.metricDataQueries()).allSatisfy(query -> assertThat(query.metricStat().period()).isEqualTo(60));
    }

    @Test
    void metricAnswersBecomeMaximaAndTotals() {
        List<AwsMetrics.Query> queries = AwsMetrics.queries(StackOutputs.from("lab", OUTPUTS, List.of()));
        List<MetricDataResult> results = List.of(
                MetricDataResult.builder().id("dbConnections").values(12.0, 30.0, 27.0).build(),
                MetricDataResult.builder().id("brokenErrors").values(5.0, 7.0).build(),
                MetricDataResult.builder().id("proxyClients").values(List.of()).build());

        Map<String, Double> values = AwsMetrics.values(queries, results);

        assertThat(values).containsEntry("dbConnections", 30.0).containsEntry("brokenErrors", 12.0)
                .doesNotContainKey("proxyClients");
    }

    @Test
    void sdkFailuresBecomeSentencesAUserCanActOn() {
        assertThat(AwsExperimentException.from(CloudFormationException.builder()
                .message("Stack with id lab does not exist").build(), "lab", "eu-west-1").getMessage())
                .isEqualTo("stack lab does not exist in region eu-west-1 (deploy template.yaml with sam deploy, or pass"
                        + " --region)");
        assertThat(AwsExperimentException.from(SdkClientException.create(
                "Unable to load credentials from any of the providers in the chain"), "lab", "eu-west-1").getMessage())
                .startsWith("no AWS credentials found");
        assertThat(AwsExperimentException.from(SdkClientException.create(
                "Unable to load region from any of the providers in the chain"), "lab", "?").getMessage())
                .isEqualTo("no AWS region: pass --region or set AWS_REGION");
        assertThat(AwsExperimentException.from(SdkClientException.builder().message("Unable to execute HTTP request")
                .cause(new java.net.UnknownHostException("cloudformation.xx-nowhere-1.amazonaws.com")).build(), "lab",
                "xx-nowhere-1").getMessage()).contains("could not reach AWS in region xx-nowhere-1");
    }

    @Test
    void theDryRunPrintsEveryCallWithItsParametersAndCallsNothing() {
        TestbedCliTestSupport.Run run = TestbedCliTestSupport.run("aws", "--stack", "lab", "--region", "eu-west-1",
                "--dry-run", "--concurrency", "20", "--seconds", "10");

        assertThat(run.exitCode()).as("stderr: %s", run.err()).isZero();
        assertThat(run.out()).contains("cloudformation:DescribeStacks StackName=lab",
                "region: eu-west-1", "GET <BrokenUrl>?holdMs=50 from 20 callers for 10 s",
                "AWS/RDS ClientConnections ProxyName=<ProxyName> Sum", "write reports/aws.json");
    }

    @Test
    void badAwsFlagsAreUsageErrors() {
        assertThat(TestbedCliTestSupport.run("aws", "--dry-run").err()).contains("Missing required option: '--stack=NAME'");
        TestbedCliTestSupport.Run badRegion = TestbedCliTestSupport.run("aws", "--stack", "lab", "--region", "Europe",
                "--dry-run");
        assertThat(badRegion.exitCode()).isEqualTo(2);
        assertThat(badRegion.err()).contains("--region must be an AWS region such as eu-west-1, got \"Europe\"");
        assertThat(TestbedCliTestSupport.run("aws", "--stack", "lab", "--seconds", "1", "--dry-run").err())
                .contains("--seconds must be from 5 to 900, got 1");
    }
}
