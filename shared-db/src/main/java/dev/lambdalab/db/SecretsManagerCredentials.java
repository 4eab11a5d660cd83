package dev.lambdalab.db;

import com.zaxxer.hikari.HikariCredentialsProvider;
import com.zaxxer.hikari.util.Credentials;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClientBuilder;

/**
 * Credentials from a Secrets Manager secret, read once during init and kept for the life of the
 * execution environment (a call per invocation would add latency and cost, and Secrets Manager
 * throttles). After a rotation the database rejects the old password; {@link CredentialsDataSource}
 * then calls {@link #refreshAfterAuthenticationFailure()}, which reads the secret again, at most once
 * per {@link #DEFAULT_MIN_REFRESH_INTERVAL}, and says whether the password changed.
 */
public final class SecretsManagerCredentials implements HikariCredentialsProvider, RefreshableCredentials {

    /** At most one re-read per this interval: a wrong secret must not become a Secrets Manager call per login. */
    public static final Duration DEFAULT_MIN_REFRESH_INTERVAL = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(SecretsManagerCredentials.class);

    /** Reads a secret's string. The default uses AWS SDK v2; tests and the test bed pass their own. */
    @FunctionalInterface
    public interface SecretReader {
        String read(String secretId);
    }

    private final String secretId;
    private final SecretReader reader;
    private final Clock clock;
    private final Duration minRefreshInterval;
    private volatile DatabaseSecret secret;
    private Instant lastRead;
    private Instant lastRefresh;
    private boolean skipLogged;
    private int reads;

    /**
     * Reads the secret now; re-reads after a rejected login at most every {@link #DEFAULT_MIN_REFRESH_INTERVAL}.
     *
     * @throws CredentialsException when the secret cannot be read or is not in the RDS format
     */
    public SecretsManagerCredentials(String secretId, SecretReader reader) {
        this(secretId, reader, Clock.systemUTC(), DEFAULT_MIN_REFRESH_INTERVAL);
    }

    /**
     * Reads the secret now.
     *
     * @param clock for the re-read limit (tests pass a clock they move)
     * @param minRefreshInterval at most one re-read after a rejected login per this interval
     * @throws CredentialsException when the secret cannot be read or is not in the RDS format
     */
    public SecretsManagerCredentials(String secretId, SecretReader reader, Clock clock, Duration minRefreshInterval) {
        this.secretId = Objects.requireNonNull(secretId, "secretId");
        this.reader = Objects.requireNonNull(reader, "reader");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.minRefreshInterval = Objects.requireNonNull(minRefreshInterval, "minRefreshInterval");
        if (minRefreshInterval.isNegative()) {
            throw new IllegalArgumentException("minRefreshInterval cannot be negative, got " + minRefreshInterval);
        }
        synchronized (this) {
            this.secret = fetch();
        }
    }

    /**
     * A reader that uses Secrets Manager through AWS SDK v2 with the url-connection HTTP client (no
     * Netty or Apache client to load, which keeps the cold start small).
     *
     * <p>Region, endpoint and AWS credentials come from the environment's variables as the handlers see
     * them ({@link EnvironmentVariables}): in Lambda those are the process's, the same the SDK's default
     * chains would read; in the test bed's emulator each environment has its own, so every emulated
     * function can talk to its own endpoint. Without AWS_ACCESS_KEY_ID the SDK's default chain applies.
     *
     * @param settings for AWS_REGION and AWS_ENDPOINT_URL_SECRETS_MANAGER
     * @param environment the environment's variables, for AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
     *     AWS_SESSION_TOKEN (Lambda sets them from the function's role)
     */
    public static SecretReader awsSdkReader(DbSettings settings, Map<String, String> environment) {
        Objects.requireNonNull(settings, "settings");
        AwsCredentialsProvider awsCredentials = AwsEnvironment.credentials(environment);
        return secretId -> {
            SecretsManagerClientBuilder builder = SecretsManagerClient.builder()
                    .httpClient(UrlConnectionHttpClient.builder().build())
                    .credentialsProvider(awsCredentials);
            settings.region().ifPresent(region -> builder.region(Region.of(region)));
            settings.secretsManagerEndpoint().ifPresent(endpoint -> builder.endpointOverride(URI.create(endpoint)));
            try (SecretsManagerClient client = builder.build()) {
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

    /** Reads the secret again now, whatever the re-read limit says. */
    public synchronized void refresh() {
        secret = fetch();
    }

    /** Reads the secret again: it may have been rotated since the snapshot was taken. */
    @Override
    public synchronized void refreshAfterRestore() {
        refresh();
    }

    @Override
    public synchronized boolean refreshAfterAuthenticationFailure() {
        Instant now = clock.instant();
        // The first rejected login is always worth a read (a rotation may come right after init); after
        // that, at most one read per interval, however fast the pool retries its login.
        if (lastRefresh != null && now.isBefore(lastRefresh.plus(minRefreshInterval))) {
            if (!skipLogged) {
                LOG.warn("[env {}] secret {} not read again: re-read {}ms ago, at most once per {}ms",
                        ExecutionEnvironment.shortId(), secretId, Duration.between(lastRefresh, now).toMillis(),
                        minRefreshInterval.toMillis());
                skipLogged = true;
            }
            return false;
        }
        lastRefresh = now;
        skipLogged = false;
        DatabaseSecret before = secret;
        secret = fetch();
        boolean changed = !secret.username().equals(before.username()) || !secret.samePassword(before);
        LOG.warn("[env {}] secret {} read again after a rejected login: password {}", ExecutionEnvironment.shortId(),
                secretId, changed ? "changed (rotated)" : "unchanged");
        return changed;
    }

    /** How many times the secret was read, for tests and logs. */
    public synchronized int reads() {
        return reads;
    }

    /** When the secret was last read. */
    public synchronized Optional<Instant> lastRead() {
        return Optional.ofNullable(lastRead);
    }

    public String secretId() {
        return secretId;
    }

    /** Reads and parses the secret; callers hold the lock. */
    private DatabaseSecret fetch() {
        reads++;
        lastRead = clock.instant();
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
