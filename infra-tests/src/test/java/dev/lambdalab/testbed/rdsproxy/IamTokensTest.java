package dev.lambdalab.testbed.rdsproxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsUtilities;

/** Tokens signed by the AWS SDK's own RdsUtilities, checked as RDS Proxy checks them. */
class IamTokensTest {

    private static final String KEY = "AKIATESTBEDLOCAL0001";
    private static final String SECRET = "testbed-secret-key";

    private static String token(String host, int port, String user, String key, String secret) {
        return RdsUtilities.builder().region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret))).build()
                .generateAuthenticationToken(request -> request.hostname(host).port(port).username(user));
    }

    private static IamTokens tokens(Duration ahead) {
        return new IamTokens(Map.of(KEY, SECRET), Clock.fixed(Instant.now().plus(ahead), ZoneOffset.UTC));
    }

    @Test
    void aTokenTheSdkSignedForThisEndpointAndUserLetsItIn() {
        String token = token("127.0.0.2", 5432, "app", KEY, SECRET);
        assertThat(tokens(Duration.ZERO).refusal(token, "127.0.0.2", 5432, "app")).as(token).isEmpty();
        assertThat(tokens(Duration.ofMinutes(14)).refusal(token, "127.0.0.2", 5432, "app")).as("within 15 minutes")
                .isEmpty();
    }

    @Test
    void sessionCredentialsSignWithTheirTokenInTheQuery() {
        String token = RdsUtilities.builder().region(Region.EU_WEST_1).credentialsProvider(StaticCredentialsProvider
                .create(AwsSessionCredentials.create(KEY, SECRET, "session/token+with=chars"))).build()
                .generateAuthenticationToken(request -> request.hostname("proxy.local").port(5432).username("app"));
        assertThat(token).contains("X-Amz-Security-Token=");
        assertThat(tokens(Duration.ZERO).refusal(token, "proxy.local", 5432, "app")).isEmpty();
    }

    @Test
    void anExpiredTamperedOrMisdirectedTokenIsRefusedWithItsReason() {
        String token = token("127.0.0.2", 5432, "app", KEY, SECRET);
        assertThat(tokens(Duration.ofMinutes(16)).refusal(token, "127.0.0.2", 5432, "app")).get().asString()
                .startsWith("expired at");
        assertThat(tokens(Duration.ZERO).refusal(token.replace("DBUser=app", "DBUser=admin"), "127.0.0.2", 5432,
                "admin")).get().asString().isEqualTo("a signature that does not match");
        assertThat(tokens(Duration.ZERO).refusal(token, "127.0.0.3", 5432, "app")).get().asString()
                .isEqualTo("signed for 127.0.0.2:5432, not 127.0.0.3:5432");
        assertThat(tokens(Duration.ZERO).refusal(token, "127.0.0.2", 5432, "other")).get().asString()
                .isEqualTo("signed for user app, not other");
        assertThat(tokens(Duration.ZERO).refusal(token("127.0.0.2", 5432, "app", "AKIAOTHER", SECRET), "127.0.0.2",
                5432, "app")).get().asString().isEqualTo("signed with an unknown access key");
        assertThat(tokens(Duration.ZERO).refusal(token("127.0.0.2", 5432, "app", KEY, "another-secret"), "127.0.0.2",
                5432, "app")).get().asString().isEqualTo("a signature that does not match");
        assertThat(tokens(Duration.ZERO).refusal("not-a-token", "127.0.0.2", 5432, "app")).get().asString()
                .contains("not an RDS auth token");
    }
}
