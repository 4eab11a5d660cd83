package dev.lambdalab.db;

import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The function role's credentials as the environment's variables give them. Lambda puts the role's
 * temporary keys in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN; reading them through
 * {@link EnvironmentVariables} instead of the SDK's own chain changes nothing in Lambda and lets the test
 * bed's emulator give each environment its own.
 */
final class AwsEnvironment {

    private AwsEnvironment() {
    }

    /** The keys in the variables, registered with {@link Redactor}; the SDK's default chain when absent. */
    static AwsCredentialsProvider credentials(Map<String, String> environment) {
        Objects.requireNonNull(environment, "environment");
        String keyId = environment.get("AWS_ACCESS_KEY_ID");
        String secretKey = environment.get("AWS_SECRET_ACCESS_KEY");
        if (keyId == null || keyId.isBlank() || secretKey == null || secretKey.isBlank()) {
            return DefaultCredentialsProvider.builder().build();
        }
        Redactor.register(secretKey);
        String sessionToken = environment.get("AWS_SESSION_TOKEN");
        if (sessionToken == null || sessionToken.isBlank()) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secretKey));
        }
        Redactor.register(sessionToken);
        return StaticCredentialsProvider.create(AwsSessionCredentials.create(keyId, secretKey, sessionToken));
    }
}
