package dev.lambdalab.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

class CredentialsTest {

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2026-11-28T07:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private static final String RDS_SECRET = """
            {"username":"app","password":"rotated-pa55word","engine":"postgres",
             "host":"db.abc.eu-west-1.rds.amazonaws.com","port":5432,"dbname":"lab"}""";

    @Test
    void iamTokensAreReusedWellInsideTheirLifeAndNeverUsedPastIt() {
        ManualClock clock = new ManualClock();
        List<Instant> signedAt = new ArrayList<>();
        IamTokenCredentials credentials = new IamTokenCredentials("proxy.example", 5432, "app",
                (host, port, user) -> {
                    signedAt.add(clock.instant());
                    return "token-" + signedAt.size();
                }, clock, IamTokenCredentials.DEFAULT_REUSE);

        List<Instant> usedAt = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        for (int minute = 0; minute < 60; minute++) { // a new connection every minute for an hour
            tokens.add(credentials.getCredentials().getPassword());
            usedAt.add(clock.instant());
            clock.advance(Duration.ofMinutes(1));
        }

        assertThat(signedAt).as("a token every 10 minutes, not one per connection").hasSize(6);
        for (int i = 0; i < tokens.size(); i++) {
            Instant signed = signedAt.get(Integer.parseInt(tokens.get(i).substring("token-".length())) - 1);
            assertThat(Duration.between(signed, usedAt.get(i)))
                    .as("age of the token used for connection %d", i)
                    .isLessThan(IamTokenCredentials.DEFAULT_REUSE)
                    .isLessThan(IamTokenCredentials.TOKEN_LIFETIME);
        }
        assertThat(credentials.toString()).doesNotContain("token-");
    }

    @Test
    void iamReuseMustStayInsideTheTokenLife() {
        assertThatThrownBy(() -> new IamTokenCredentials("h", 5432, "app", (h, p, u) -> "t", Clock.systemUTC(),
                Duration.ofMinutes(15)))
                .hasMessageContaining("reuse must be from 0 to less than PT15M");
    }

    @Test
    void theSecretIsReadOnceAndAgainOnlyOnRefresh() {
        AtomicInteger reads = new AtomicInteger();
        SecretsManagerCredentials credentials = new SecretsManagerCredentials("db-secret", id -> {
            reads.incrementAndGet();
            return RDS_SECRET;
        });

        for (int i = 0; i < 10; i++) {
            assertThat(credentials.getCredentials().getUsername()).isEqualTo("app");
        }
        assertThat(reads).as("read during init only").hasValue(1);
        credentials.refresh();
        assertThat(reads).hasValue(2);
        assertThat(credentials.secret().host()).contains("db.abc.eu-west-1.rds.amazonaws.com");
        assertThat(credentials.secret().port()).contains(5432);
        assertThat(credentials.toString()).doesNotContain("rotated-pa55word");
    }

    @Test
    void aRejectedLoginRereadsTheSecretAtMostOncePerIntervalAndSaysWhetherThePasswordChanged() {
        ManualClock clock = new ManualClock();
        AtomicInteger version = new AtomicInteger(1);
        SecretsManagerCredentials credentials = new SecretsManagerCredentials("db-secret",
                id -> RDS_SECRET.replace("rotated-pa55word", "password-v" + version.get()), clock, Duration.ofSeconds(30));
        assertThat(credentials.reads()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));
        assertThat(credentials.refreshAfterAuthenticationFailure())
                .as("the first rejected login reads again, even right after init; same secret: nothing to retry")
                .isFalse();
        assertThat(credentials.reads()).isEqualTo(2);

        version.set(2); // the rotation
        clock.advance(Duration.ofSeconds(5));
        assertThat(credentials.refreshAfterAuthenticationFailure()).as("5 s after the last re-read: not read again")
                .isFalse();
        assertThat(credentials.reads()).isEqualTo(2);
        assertThat(credentials.getCredentials().getPassword()).isEqualTo("password-v1");

        clock.advance(Duration.ofSeconds(25));
        assertThat(credentials.refreshAfterAuthenticationFailure()).as("30 s later: read again, password changed")
                .isTrue();
        assertThat(credentials.reads()).isEqualTo(3);
        assertThat(credentials.getCredentials().getPassword()).isEqualTo("password-v2");
        assertThat(credentials.lastRead()).contains(clock.instant());
    }

    @Test
    void aRejectedIamTokenIsReSignedOnlyWhenItIsOlderThanAMinute() {
        ManualClock clock = new ManualClock();
        AtomicInteger signed = new AtomicInteger();
        IamTokenCredentials credentials = new IamTokenCredentials("proxy.example", 5432, "app",
                (host, port, user) -> "token-" + signed.incrementAndGet(), clock, IamTokenCredentials.DEFAULT_REUSE);
        assertThat(credentials.refreshAfterAuthenticationFailure()).as("no token yet").isFalse();
        assertThat(credentials.getCredentials().getPassword()).isEqualTo("token-1");
        assertThat(credentials.refreshAfterAuthenticationFailure()).as("a fresh token is not the problem").isFalse();

        clock.advance(Duration.ofMinutes(3));
        assertThat(credentials.refreshAfterAuthenticationFailure()).isTrue();
        assertThat(credentials.getCredentials().getPassword()).as("signed again for the retry").isEqualTo("token-2");
    }

    @Test
    void aMissingSecretFailsWithItsIdAndTheSdkCause() {
        assertThatThrownBy(() -> new SecretsManagerCredentials("missing", id -> {
            throw ResourceNotFoundException.builder().message("Secrets Manager can't find the specified secret.").build();
        }))
                .isInstanceOf(CredentialsException.class)
                .hasMessageContaining("Could not read secret missing from Secrets Manager: ResourceNotFoundException")
                .hasCauseInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void aSecretWithoutPasswordIsRefusedWithoutQuotingIt() {
        assertThatThrownBy(() -> new SecretsManagerCredentials("s", id -> "{\"username\":\"app\",\"pass\":\"x-secret-x\"}"))
                .hasMessage("Secret s is unusable: the secret has no \"password\" string")
                .message().doesNotContain("x-secret-x");
        assertThatThrownBy(() -> DatabaseSecret.parse("not json at all"))
                .hasMessageContaining("the secret is not JSON");
        assertThatThrownBy(() -> DatabaseSecret.parse("{\"username\":\"a\",\"password\":\"b\",\"port\":\"x\"}"))
                .hasMessage("the secret's port is not an integer");
    }

    @Test
    void aStringPortIsAccepted() {
        assertThat(DatabaseSecret.parse("{\"username\":\"a\",\"password\":\"bbbb\",\"port\":\"6432\"}").port())
                .contains(6432);
    }

    @Test
    void passwordsAreMaskedInToString() {
        assertThat(new PasswordCredentials("app", "pa55word-local").toString())
                .isEqualTo("PasswordCredentials{user=app, password=****}");
    }
}
