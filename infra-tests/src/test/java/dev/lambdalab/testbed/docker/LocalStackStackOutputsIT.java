package dev.lambdalab.testbed.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdalab.testbed.aws.AwsExperimentException;
import dev.lambdalab.testbed.aws.StackOutputs;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Network;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.localstack.LocalStackContainer;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.StackStatus;

/** {@code testbed aws} reads a stack's outputs and parameters as CloudFormation (here LocalStack's) returns them. */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackStackOutputsIT {

    private static final String TEMPLATE = """
            AWSTemplateFormatVersion: "2010-09-09"
            Parameters:
              MaxConnections: {Type: Number, Default: 40}
              MaxConnectionsPercent: {Type: Number, Default: 25}
            Resources:
              Placeholder:
                Type: AWS::SecretsManager::Secret
                Properties: {Description: outputs only}
            Outputs:
              BrokenUrl: {Value: "https://abc.execute-api.us-east-1.amazonaws.com/broken"}
              FixedUrl: {Value: "https://abc.execute-api.us-east-1.amazonaws.com/fixed"}
              DatabaseInstanceId: {Value: lab-database}
              ProxyName: {Value: lab-proxy}
              BrokenFunctionName: {Value: lab-broken}
              FixedFunctionName: {Value: lab-fixed}
            """;

    @Test
    void outputsAndParametersOfADeployedStackAreRead() {
        try (Network network = Network.newNetwork(); LocalStackContainer localStack = LocalStackSupport.container(network)) {
            localStack.start();
            try (CloudFormationClient cloudFormation = LocalStackSupport.configure(CloudFormationClient.builder(),
                    localStack).httpClient(UrlConnectionHttpClient.create()).build()) {
                cloudFormation.createStack(request -> request.stackName("lab").templateBody(TEMPLATE));
                cloudFormation.waiter().waitUntilStackCreateComplete(request -> request.stackName("lab"));
                assertThat(cloudFormation.describeStacks(r -> r.stackName("lab")).stacks().get(0).stackStatus())
                        .isEqualTo(StackStatus.CREATE_COMPLETE);

                StackOutputs stack = StackOutputs.read(cloudFormation, "lab", localStack.getRegion());

                assertThat(stack.fixedUrl()).endsWith("/fixed");
                assertThat(stack.proxyName()).isEqualTo("lab-proxy");
                assertThat(stack.proxyDatabaseConnections()).isEqualTo(10);
                assertThatThrownBy(() -> StackOutputs.read(cloudFormation, "missing", localStack.getRegion()))
                        .isInstanceOf(AwsExperimentException.class).hasMessageContaining("does not exist");
            }
        }
    }
}
