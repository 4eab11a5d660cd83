package dev.lambdalab.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DbSettingsTest {

    private static final String PASSWORD = "correct-horse-battery-staple";

    /** The smallest valid local configuration. */
    private static Map<String, String> local() {
        Map<String, String> env = new HashMap<>();
        env.put("DB_HOST", "localhost");
        env.put("DB_USER", "app");
        env.put("DB_PASSWORD", PASSWORD);
        return env;
    }

    private static Map<String, String> with(Map<String, String> env, String name, String value) {
        env.put(name, value);
        return env;
    }

    @Test
    void defaultsAreTheValuesChosenForLambda() {
        DbSettings settings = DbSettings.from(local());

        assertThat(settings.port()).isEqualTo(5432);
        assertThat(settings.database()).isEqualTo("postgres");
        assertThat(settings.auth()).isEqualTo(AuthMode.PASSWORD);
        assertThat(settings.poolMaxSize()).as("one request at a time per environment").isEqualTo(1);
        assertThat(settings.environmentConcurrency()).as("classic Lambda sets no AWS_LAMBDA_MAX_CONCURRENCY").isEqualTo(1);
        assertThat(settings.poolMinIdle()).isEqualTo(1);
        assertThat(settings.poolTimeoutMillis()).isEqualTo(3000);
        assertThat(settings.poolMaxLifetimeMillis()).isEqualTo(600_000);
        assertThat(settings.connectTimeoutSeconds()).isEqualTo(3);
        assertThat(settings.socketTimeoutSeconds()).isEqualTo(12);
        assertThat(settings.prepareThreshold()).isEqualTo(5);
        assertThat(settings.origin(Setting.DB_PORT)).isEqualTo(Origin.DEFAULT);
        assertThat(settings.origin(Setting.DB_HOST)).isEqualTo(Origin.VARIABLE);
    }

    @Test
    void onManagedInstancesThePoolIsSizedForTheEnvironmentsThreads() {
        DbSettings settings = DbSettings.from(with(local(), "AWS_LAMBDA_MAX_CONCURRENCY", "32"));

        assertThat(settings.environmentConcurrency()).isEqualTo(32);
        assertThat(settings.poolMaxSize()).as("one connection per invocation in flight").isEqualTo(32);
        assertThat(settings.poolMinIdle()).as("opened on demand, not all at init").isEqualTo(1);
        assertThat(settings.origin(Setting.POOL_MAX_SIZE)).isEqualTo(Origin.UNSET);
    }

    @Test
    void anExplicitPoolSizeWinsOverTheConcurrency() {
        DbSettings settings = DbSettings.from(with(with(local(), "AWS_LAMBDA_MAX_CONCURRENCY", "32"), "POOL_MAX_SIZE", "5"));

        assertThat(settings.poolMaxSize()).isEqualTo(5);
        assertThat(settings.origin(Setting.POOL_MAX_SIZE)).isEqualTo(Origin.VARIABLE);
    }

    @Test
    void everyDefaultIsAllowedByItsOwnConstraint() {
        for (Setting setting : Setting.values()) {
            if (setting.defaultValue() != null) {
                assertThat(setting.constraint().parse(setting.defaultValue()))
                        .as("default of %s", setting).isNotNull();
            }
        }
    }

    @Test
    void databaseUrlFillsEverySettingItsVariableLeavesUnset() {
        DbSettings settings = DbSettings.from(Map.of("DATABASE_URL",
                "postgresql://user:pass@host:5433/db?connection_limit=1&pool_timeout=20&connect_timeout=10"
                        + "&pgbouncer=true&sslmode=require"));

        assertThat(settings.host()).contains("host");
        assertThat(settings.port()).isEqualTo(5433);
        assertThat(settings.database()).isEqualTo("db");
        assertThat(settings.user()).contains("user");
        assertThat(settings.password()).contains("pass");
        assertThat(settings.poolMaxSize()).isEqualTo(1);
        assertThat(settings.poolTimeoutMillis()).as("pool_timeout is in seconds").isEqualTo(20_000);
        assertThat(settings.connectTimeoutSeconds()).isEqualTo(10);
        assertThat(settings.prepareThreshold()).as("pgbouncer=true").isZero();
        assertThat(settings.sslMode()).isEqualTo("require");
        assertThat(settings.origin(Setting.POOL_TIMEOUT_MS)).isEqualTo(Origin.DATABASE_URL);
    }

    @Test
    void aVariableWinsOverTheUrl() {
        DbSettings settings = DbSettings.from(Map.of(
                "DATABASE_URL", "postgresql://user:pass@host:5433/db?connection_limit=5",
                "POOL_MAX_SIZE", "1",
                "DB_HOST", "proxy.example"));

        assertThat(settings.poolMaxSize()).isEqualTo(1);
        assertThat(settings.host()).contains("proxy.example");
        assertThat(settings.origin(Setting.POOL_MAX_SIZE)).isEqualTo(Origin.VARIABLE);
    }

    @Test
    void aBadNumberNamesTheVariableTheValueAndTheRange() {
        assertThatThrownBy(() -> DbSettings.from(with(local(), "POOL_MAX_SIZE", "abc")))
                .isInstanceOf(DbConfigurationException.class)
                .hasMessage("Invalid database settings: POOL_MAX_SIZE must be an integer from 1 to 1600, got \"abc\"");
    }

    @Test
    void everyProblemIsReportedInOneMessage() {
        Map<String, String> env = with(with(local(), "DB_PORT", "0"), "DB_SSLMODE", "sometimes");

        assertThatThrownBy(() -> DbSettings.from(env))
                .isInstanceOfSatisfying(DbConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
                        "DB_PORT must be an integer from 1 to 65535, got \"0\"",
                        "DB_SSLMODE must be one of disable, allow, prefer, require, verify-ca, verify-full,"
                                + " got \"sometimes\""));
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of(Setting.DATABASE_URL, "mysql://a:b@h/d"),
                Arguments.of(Setting.DB_HOST, "bad host!"),
                Arguments.of(Setting.DB_PORT, "http"),
                Arguments.of(Setting.DB_NAME, "x".repeat(64)),
                Arguments.of(Setting.DB_USER, "x".repeat(64)),
                Arguments.of(Setting.DB_AUTH, "kerberos"),
                Arguments.of(Setting.DB_PASSWORD, "line\nbreak"),
                Arguments.of(Setting.DB_SECRET_ARN, "arn:aws:secretsmanager:eu-west-1:123:secret:x y"),
                Arguments.of(Setting.DB_SSLMODE, "on"),
                Arguments.of(Setting.DB_SSL_ROOT_CERT, "x".repeat(1025)),
                Arguments.of(Setting.DB_CONNECT_TIMEOUT_S, "0"),
                Arguments.of(Setting.DB_SOCKET_TIMEOUT_S, "-1"),
                Arguments.of(Setting.DB_QUERY_TIMEOUT_S, "12"),
                Arguments.of(Setting.DB_PREPARE_THRESHOLD, "1.5"),
                Arguments.of(Setting.DB_TCP_KEEPALIVE, "yes"),
                Arguments.of(Setting.DB_APPLICATION_NAME, "x".repeat(64)),
                Arguments.of(Setting.DB_JDBC_PARAMS, "noSuchProperty=1"),
                Arguments.of(Setting.AWS_ENDPOINT_URL_SECRETS_MANAGER, "ftp://localhost:4566"),
                Arguments.of(Setting.POOL_MAX_SIZE, "0"),
                Arguments.of(Setting.POOL_MIN_IDLE, "-1"),
                Arguments.of(Setting.POOL_TIMEOUT_MS, "100"),
                Arguments.of(Setting.POOL_VALIDATION_TIMEOUT_MS, "10"),
                Arguments.of(Setting.POOL_IDLE_TIMEOUT_MS, "5000"),
                Arguments.of(Setting.POOL_MAX_LIFETIME_MS, "1000"),
                Arguments.of(Setting.POOL_KEEPALIVE_MS, "ten"),
                Arguments.of(Setting.AWS_REGION, "Europe"),
                Arguments.of(Setting.AWS_LAMBDA_FUNCTION_NAME, "x".repeat(141)),
                Arguments.of(Setting.AWS_LAMBDA_LOG_STREAM_NAME, "x".repeat(513)),
                Arguments.of(Setting.AWS_LAMBDA_MAX_CONCURRENCY, "0"));
    }

    @Test
    void theBadValuesTableCoversEverySetting() {
        assertThat(badValues().map(arguments -> arguments.get()[0]).distinct())
                .containsExactlyInAnyOrder((Object[]) Setting.values());
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("badValues")
    void everySettingGivenABadValueFailsInitialisationNamingIt(Setting setting, String badValue) {
        assertThatThrownBy(() -> DbSettings.from(with(local(), setting.variable(), badValue)))
                .isInstanceOfSatisfying(DbConfigurationException.class, e -> {
                    assertThat(e.problems()).as("exactly one problem").hasSize(1);
                    assertThat(e.getMessage()).contains(setting.variable());
                    if (setting.isSensitive()) {
                        assertThat(e.getMessage()).doesNotContain(badValue);
                    } else {
                        assertThat(e.getMessage()).contains("got \"" + badValue + "\"");
                    }
                });
    }

    @Test
    void combinationsAreChecked() {
        assertThatThrownBy(() -> DbSettings.from(with(with(local(), "POOL_MIN_IDLE", "2"), "POOL_MAX_SIZE", "1")))
                .hasMessageContaining("POOL_MIN_IDLE must be at most POOL_MAX_SIZE (1), got \"2\"");
        assertThatThrownBy(() -> DbSettings.from(with(local(), "POOL_KEEPALIVE_MS", "10000")))
                .hasMessageContaining("POOL_KEEPALIVE_MS must be 0 (off) or from 30000");
        assertThatThrownBy(() -> DbSettings.from(Map.of("DB_HOST", "h", "DB_USER", "app")))
                .hasMessageContaining("DB_AUTH=password needs a password in DB_PASSWORD or DATABASE_URL");
        assertThatThrownBy(() -> DbSettings.from(Map.of("DB_USER", "app", "DB_PASSWORD", PASSWORD)))
                .hasMessageContaining("DB_HOST is not set");
    }

    @Test
    void secretsManagerModeRefusesAPasswordAlongsideTheSecret() {
        Map<String, String> env = with(with(local(), "DB_AUTH", "secrets-manager"), "DB_SECRET_ARN",
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf");
        env.remove("DB_USER");

        assertThatThrownBy(() -> DbSettings.from(env))
                .hasMessageContaining("DB_AUTH=secrets-manager takes the password from the secret")
                .message().doesNotContain(PASSWORD);
    }

    @Test
    void iamModeNeedsTlsAndARegion() {
        Map<String, String> env = Map.of("DB_AUTH", "iam", "DB_HOST", "proxy", "DB_USER", "app");

        assertThatThrownBy(() -> DbSettings.from(env))
                .isInstanceOfSatisfying(DbConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
                        "DB_AUTH=iam needs AWS_REGION to sign the token (Lambda sets it)",
                        "DB_AUTH=iam needs DB_SSLMODE=require, verify-ca or verify-full (RDS accepts IAM tokens"
                                + " over TLS only), got \"prefer\""));
    }

    @Test
    void blankVariablesCountAsUnset() {
        DbSettings settings = DbSettings.from(with(local(), "DB_PORT", " "));

        assertThat(settings.port()).isEqualTo(5432);
    }

    @Test
    void theDumpMasksPasswordsWhereverTheyCameFrom() {
        DbSettings fromVariable = DbSettings.from(local());
        DbSettings fromUrl = DbSettings.from(Map.of("DATABASE_URL", "postgresql://app:" + PASSWORD + "@db/app"));

        assertThat(fromVariable.toString()).doesNotContain(PASSWORD).contains("DB_PASSWORD=**** (variable)");
        assertThat(fromUrl.toString()).doesNotContain(PASSWORD).contains("postgresql://app:****@db/app");
    }

    @Test
    void aBadUrlIsShownMasked() {
        assertThatThrownBy(() -> DbSettings.from(Map.of("DATABASE_URL",
                "postgresql://app:" + PASSWORD + "@db/app?connection_limit=zero")))
                .hasMessageContaining("DATABASE_URL parameter connection_limit must be an integer from 1 to 1600,"
                        + " got \"zero\"")
                .hasMessageContaining("postgresql://app:****@db/app")
                .message().doesNotContain(PASSWORD);
    }

    @Test
    void jdbcParametersAreCheckedAgainstPgjdbcsCatalogue() {
        DbSettings settings = DbSettings.from(with(local(), "DB_JDBC_PARAMS", "loggerLevel=OFF&options=-c%20work_mem%3D8MB"));

        assertThat(settings.jdbcParameters()).containsEntry("loggerLevel", "OFF").containsEntry("options", "-c work_mem=8MB");
        assertThatThrownBy(() -> DbSettings.from(with(local(), "DB_JDBC_PARAMS", "password=x")))
                .hasMessageContaining("DB_JDBC_PARAMS sets password, which this project sets from its own settings");
    }
}
