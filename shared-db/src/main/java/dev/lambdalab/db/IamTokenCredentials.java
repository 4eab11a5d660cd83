package dev.lambdalab.db;

import com.zaxxer.hikari.HikariCredentialsProvider;
import com.zaxxer.hikari.util.Credentials;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsUtilities;

/**
 * RDS IAM authentication: instead of a password, each new physical connection presents a token
 * signed with the function's role (SigV4, computed locally, no network call). A token is valid for
 * 15 minutes for <em>opening</em> a connection; an open connection outlives it. This provider signs
 * a token, reuses it for new connections while it is younger than {@link #DEFAULT_REUSE}, well inside
 * those 15 minutes, and signs a fresh one after that.
 *
 * <p>HikariCP 7 calls {@link #getCredentials()} for every new connection. The instance is passed to
 * {@code HikariConfig.setCredentialsProvider}; {@code setCredentialsProviderClassName} is avoided
 * because it stores the name in the wrong field (HikariCP pull requests #2405 and #2409).
 */
public final class IamTokenCredentials implements HikariCredentialsProvider, RefreshableCredentials {

    /** Token life as RDS documents it. */
    public static final Duration TOKEN_LIFETIME = Duration.ofMinutes(15);
    /** How long one token is reused for new connections. */
    public static final Duration DEFAULT_REUSE = Duration.ofMinutes(10);

    /** Signs a token for host, port and user. The default uses the SDK's RdsUtilities. */
    @FunctionalInterface
    public interface TokenSigner {
        String sign(String host, int port, String user);
    }

    private final String host;
    private final int port;
    private final String user;
    private final TokenSigner signer;
    private final Clock clock;
    private final Duration reuse;
    private String token;
    private Instant signedAt;

    public IamTokenCredentials(String host, int port, String user, TokenSigner signer, Clock clock, Duration reuse) {
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.user = Objects.requireNonNull(user, "user");
        this.signer = Objects.requireNonNull(signer, "signer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.reuse = Objects.requireNonNull(reuse, "reuse");
        if (reuse.isNegative() || reuse.compareTo(TOKEN_LIFETIME) >= 0) {
            throw new IllegalArgumentException("reuse must be from 0 to less than " + TOKEN_LIFETIME + ", got " + reuse);
        }
    }

    /**
     * A signer that uses the function's role in the given region: the keys Lambda puts in the
     * environment's variables (see {@link AwsEnvironment}), else the SDK's default chain.
     */
    public static TokenSigner awsSdkSigner(String region, Map<String, String> environment) {
        RdsUtilities utilities = RdsUtilities.builder().region(Region.of(region))
                .credentialsProvider(AwsEnvironment.credentials(environment)).build();
        return (host, port, user) -> utilities.generateAuthenticationToken(
                request -> request.hostname(host).port(port).username(user));
    }

    @Override
    public synchronized Credentials getCredentials() {
        Instant now = clock.instant();
        if (token == null || !now.isBefore(signedAt.plus(reuse))) {
            try {
                token = signer.sign(host, port, user);
            } catch (SdkException e) {
                throw new CredentialsException("Could not sign an RDS IAM token for user " + user + " at " + host
                        + ":" + port + ": " + e.getClass().getSimpleName() + ": " + Redactor.redact(e.getMessage()), e);
            }
            signedAt = now;
            Redactor.register(token);
        }
        return Credentials.of(user, token);
    }

    /**
     * After a rejected login: drops the token when it is older than a minute, so the retry signs a new one
     * (a token that old may have met a clock or credentials change); a token signed just now is not the
     * problem (the IAM policy or the rds_iam grant is), so there is nothing to retry.
     */
    @Override
    public synchronized boolean refreshAfterAuthenticationFailure() {
        if (token == null || clock.instant().isBefore(signedAt.plus(Duration.ofMinutes(1)))) {
            return false;
        }
        token = null;
        return true;
    }

    /**
     * Signs a new token now. The one from init may be past its 15 minutes, and whether the reuse check
     * above notices depends on the clock the copy restored with; signing here, in the afterRestore hook,
     * also keeps the signature out of the first request's latency.
     */
    @Override
    public synchronized void refreshAfterRestore() {
        token = null;
        getCredentials();
    }

    /** When the token in use was signed, or {@code null} before the first connection. */
    public synchronized Instant signedAt() {
        return signedAt;
    }

    @Override
    public String toString() {
        return "IamTokenCredentials{user=" + user + ", host=" + host + ", port=" + port + ", token=****}";
    }
}
