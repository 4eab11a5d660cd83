package dev.lambdalab.testbed.docker;

import java.net.URI;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.Network;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.regions.Region;

/**
 * LocalStack for the Docker tier. Since March 2026 current {@code localstack/localstack} images refuse to
 * start without {@code LOCALSTACK_AUTH_TOKEN}: with the token set, a current image is used; without it, the
 * last token-free one, {@value #TOKEN_FREE_IMAGE}. TESTBED_LOCALSTACK_IMAGE overrides both.
 */
final class LocalStackSupport {

    static final String TOKEN_FREE_IMAGE = "localstack/localstack:4.14.0";
    static final String CURRENT_IMAGE = "localstack/localstack:latest";

    private LocalStackSupport() {
    }

    static String image() {
        String override = System.getenv("TESTBED_LOCALSTACK_IMAGE");
        if (override != null && !override.isBlank()) {
            return override;
        }
        return token() == null ? TOKEN_FREE_IMAGE : CURRENT_IMAGE;
    }

    private static String token() {
        String token = System.getenv("LOCALSTACK_AUTH_TOKEN");
        return token == null || token.isBlank() ? null : token;
    }

    /**
     * LocalStack with Lambda, Secrets Manager, IAM and CloudFormation on the test bed's network. Lambda runs
     * functions in sibling containers through the Docker socket and attaches them to the same network
     * (LAMBDA_DOCKER_NETWORK), so they reach PostgreSQL and PgBouncer by their aliases.
     */
    @SuppressWarnings("resource") // started and stopped by the caller
    static LocalStackContainer container(Network network) {
        LocalStackContainer container = new LocalStackContainer(DockerImageName.parse(image()).asCompatibleSubstituteFor(
                "localstack/localstack"))
                .withNetwork(network)
                .withNetworkAliases("localstack")
                .withServices("lambda", "secretsmanager", "iam", "sts", "cloudformation")
                .withEnv("LAMBDA_DOCKER_NETWORK", network.getId())
                // A Java function's first start in a fresh container can be slow on a laptop.
                .withEnv("LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT", "90")
                .withFileSystemBind(DockerClientFactory.instance().getRemoteDockerUnixSocketPath(), "/var/run/docker.sock",
                        BindMode.READ_WRITE);
        String token = token();
        if (token != null) {
            container.withEnv("LOCALSTACK_AUTH_TOKEN", token);
        }
        return container;
    }

    /** An SDK client builder pointed at LocalStack. */
    static <B extends AwsClientBuilder<B, ?>> B configure(B builder, LocalStackContainer localStack) {
        URI endpoint = localStack.getEndpoint();
        return builder.endpointOverride(endpoint)
                .region(Region.of(localStack.getRegion()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(localStack.getAccessKey(), localStack.getSecretKey())));
    }
}
