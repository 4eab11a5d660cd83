package dev.lambdalab.testbed.rdsproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.lambdalab.db.FailureCause;
import dev.lambdalab.db.FailureClassifier;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.db.LabDatabase;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.support.LabExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsUtilities;

/**
 * RDS IAM authentication at the emulator, with tokens the AWS SDK signs and pgjdbc sends as the password: a good one
 * logs in, an expired, a tampered and a misdirected one get RDS Proxy's text, and a plain connection is refused.
 */
@ExtendWith(LabExtension.class)
class RdsProxyIamIT {

    private static final String KEY = "AKIATESTBEDIAMTEST01";
    private static final String SECRET = "iam-test-secret";

    private RdsProxyEmulator proxy;
    private TestBed testBed;

    @BeforeEach
    void lab(TestBed testBed) {
        this.testBed = testBed;
        testBed.resetConnections();
        testBed.lab().setAppConnectionLimit(10);
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        testBed.resetConnections();
    }

    private void start(Clock clock) {
        proxy = testBed.rdsProxyEmulator(ProxySettings.DEFAULTS)
                .withIamAuthentication(KEY, SECRET, clock)
                .start();
    }

    private String token(String host, String secret) {
        return RdsUtilities.builder().region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, secret))).build()
                .generateAuthenticationToken(request -> request.hostname(host).port(proxy.port())
                        .username(LabDatabase.APP_ROLE));
    }

    private Connection connect(String token, String sslMode) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", LabDatabase.APP_ROLE);
        properties.setProperty("password", token);
        properties.setProperty("sslmode", sslMode);
        properties.setProperty("assumeMinServerVersion", "9.0");
        properties.setProperty("connectTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + "/"
                + LabDatabase.DATABASE, properties);
    }

    @Test
    void aTokenSignedForThisProxyLogsInOverTls() throws SQLException {
        start(Clock.systemUTC());
        try (Connection client = connect(token(proxy.host(), SECRET), "require");
                Statement statement = client.createStatement();
                ResultSet result = statement.executeQuery("SELECT current_user")) {
            result.next();
            assertThat(result.getString(1)).as("the proxy logged in to the database with its secret's user")
                    .isEqualTo(LabDatabase.APP_ROLE);
        }
    }

    @Test
    void expiredTamperedAndMisdirectedTokensAndPlainConnectionsAreRefusedWithRdsProxysTexts() {
        start(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(16)));
        Throwable expired = catchThrowable(() -> connect(token(proxy.host(), SECRET), "require").close());
        assertThat(expired).hasMessageContaining(ProxyTexts.iamFailed(LabDatabase.APP_ROLE));
        assertThat(((SQLException) expired).getSQLState()).isEqualTo("28P01");
        assertThat(FailureClassifier.classify(expired).cause()).isEqualTo(FailureCause.AUTHENTICATION);
        proxy.close();
        start(Clock.systemUTC());
        String good = token(proxy.host(), SECRET);
        Throwable tampered = catchThrowable(() -> connect(good.replace("X-Amz-Expires=900", "X-Amz-Expires=899"),
                "require").close());
        assertThat(tampered).hasMessageContaining(ProxyTexts.iamFailed(LabDatabase.APP_ROLE));
        Throwable wrongKey = catchThrowable(() -> connect(token(proxy.host(), "not-the-secret"), "require").close());
        assertThat(wrongKey).hasMessageContaining(ProxyTexts.iamFailed(LabDatabase.APP_ROLE));
        Throwable wrongHost = catchThrowable(() -> connect(token("proxy.elsewhere.example", SECRET), "require")
                .close());
        assertThat(wrongHost).hasMessageContaining(ProxyTexts.iamFailed(LabDatabase.APP_ROLE));
        Throwable plain = catchThrowable(() -> connect(good, "disable").close());
        assertThat(plain).hasMessageContaining(ProxyTexts.IAM_NEEDS_TLS);
        assertThat(String.valueOf(plain) + tampered + wrongKey).as("the token is never echoed")
                .doesNotContain("X-Amz-Signature");
    }
}
