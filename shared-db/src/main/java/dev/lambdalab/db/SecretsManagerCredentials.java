package dev.lambdalab.db;

import com.zaxxer.hikari.HikariCredentialsProvider;
import com.zaxxer.hikari.util.Credentials;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Credentials from a Secrets Manager secret, read once during init and kept for the life of the
 * execution environment (a call per invocation would add latency and cost, and Secrets Manager
 * throttles). {@link #refresh()} reads the secret again, for example after a rotation made the
 * password fail.
 */
public final class SecretsManagerCredentials implements HikariCredentialsProvider {

    /** Reads a secret's string. The default uses AWS SDK v2; tests and the test bed pass their own. */
    @FunctionalInterface
    public interface SecretReader {
        String read(String secretId);
    }

    private final String secretId;
    private final SecretReader reader;
    private volatile DatabaseSecret secret;

    /**
     * Reads the secret now.
     *
     * @throws CredentialsException when the secret cannot be read or is not in the RDS format
     */
    public SecretsManagerCredentials(String secretId, SecretReader reader) {
        this.secretId = Objects.requireNonNull(secretId, "secretId");
        this.reader = Objects.requireNonNull(reader, "reader");
        this.secret = fetch();
    }

    /**
     * A reader that uses Secrets Manager through AWS SDK v2 with the url-connection HTTP client (no
     * Netty or Apache client to load, which keeps the cold start small). Region, credentials and an
     * endpoint override ({@code AWS_ENDPOINT_URL}, as LocalStack sets) come from the SDK's default chains.
     */
    public static SecretReader awsSdkReader() {
        return secretId -> {
            try (SecretsManagerClient client = SecretsManagerClient.builder()
                    .httpClient(UrlConnectionHttpClient.builder().build())
                    .build()) {
                return client.getSecretValue(request -> request.secretId(secretId)).secretString();
            }
        };
    }

    @Override
    public Credentials getCredentials() {
        DatabaseSecret current = secret;
        return Credentials.of(current.username(), current.password());
    }

    /** The secret as last read; its host, port and dbname fill in what the settings leave out. */
    public DatabaseSecret secret() {
        return secret;
    }

    /** Reads the secret again (after a rotation). */
    public void refresh() {
        secret = fetch();
    }

    public String secretId() {
        return secretId;
    }

    private DatabaseSecret fetch() {
        String secretString;
        try {
            secretString = reader.read(secretId);
        } catch (SdkException e) {
            throw new CredentialsException("Could not read secret " + secretId + " from Secrets Manager: "
                    + e.getClass().getSimpleName() + ": " + Redactor.redact(e.getMessage()), e);
        }
        if (secretString == null) {
            throw new CredentialsException("Secret " + secretId + " has no SecretString (a binary secret cannot"
                    + " hold the RDS secret JSON)", null);
        }
        try {
            return DatabaseSecret.parse(secretString);
        } catch (IllegalArgumentException e) {
            throw new CredentialsException("Secret " + secretId + " is unusable: " + e.getMessage(), null);
        }
    }

    @Override
    public String toString() {
        return "SecretsManagerCredentials{secretId=" + secretId + ", " + secret + "}";
    }
}
