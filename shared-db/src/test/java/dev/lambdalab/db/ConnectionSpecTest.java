package dev.lambdalab.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ConnectionSpecTest {

    private static final String SECRET_JSON = """
            {"username":"app","password":"from-the-secret","host":"instance.rds.example","port":5432,"dbname":"lab"}""";

    @Test
    void driverPropertiesCarryTheTimeoutsTheSslModeAndTheApplicationName() {
        DbSettings settings = DbSettings.from(Map.of("DATABASE_URL",
                "postgresql://app:pw-local-1@proxy:5432/lab?pgbouncer=true&connect_timeout=2&sslmode=require",
                "AWS_LAMBDA_FUNCTION_NAME", "lab-fixed"));
        ConnectionSpec spec = ConnectionSpec.create(settings);

        Properties properties = spec.driverProperties();

        assertThat(spec.jdbcUrl()).isEqualTo("jdbc:postgresql://proxy:5432/lab");
        assertThat(properties).containsEntry("connectTimeout", "2").containsEntry("socketTimeout", "12")
                .containsEntry("tcpKeepAlive", "true").containsEntry("sslmode", "require")
                .containsEntry("prepareThreshold", "0")
                .containsEntry("ApplicationName", "lab-fixed:" + ExecutionEnvironment.shortId());
        assertThat(spec.toString()).doesNotContain("pw-local-1");
    }

    @Test
    void theHikariConfigHasTheConnectionPartAndHikariDefaultsForThePool() {
        ConnectionSpec spec = ConnectionSpec.create(DbSettings.from(
                Map.of("DB_HOST", "h", "DB_USER", "app", "DB_PASSWORD", "pw-local-2")));

        HikariConfig config = spec.hikariConfig("broken");

        assertThat(config.getPoolName()).as("the pool name says which environment").isEqualTo("broken-"
                + ExecutionEnvironment.shortId());
        assertThatThrownBy(() -> spec.hikariConfig("no spaces")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a pool name must be 1 to 40 letters, digits, '-' or '_', got \"no spaces\"");
        assertThat(config.getDataSource()).as("connections come through the credentials, re-read on a rejected login")
                .isInstanceOf(CredentialsDataSource.class);
        assertThat(config.getDataSource().toString()).contains("jdbc:postgresql://h:5432/postgres")
                .doesNotContain("pw-local-2");
        assertThat(config.getMaximumPoolSize()).as("HikariCP's default, untouched").isEqualTo(10);
        assertThat(config.getConnectionTimeout()).as("HikariCP's default, untouched").isEqualTo(30_000);
    }

    @Test
    void longFunctionNamesAreCutSoTheEnvironmentIdSurvivesPostgresLimitOf63Bytes() {
        DbSettings settings = DbSettings.from(Map.of("DB_HOST", "h", "DB_USER", "app", "DB_PASSWORD", "pw-local-3",
                "AWS_LAMBDA_FUNCTION_NAME", "f".repeat(140)));

        String name = ConnectionSpec.create(settings).applicationName();

        assertThat(name).hasSize(63).endsWith(":" + ExecutionEnvironment.shortId());
    }

    @Test
    void withASecretTheSettingsHostWinsSoTheFixedFunctionCanPointAtTheProxy() {
        Map<String, String> env = new HashMap<>(Map.of("DB_AUTH", "secrets-manager", "DB_SECRET_ARN", "lab/db",
                "DB_HOST", "proxy.example"));
        SecretsManagerCredentials credentials = new SecretsManagerCredentials("lab/db", id -> SECRET_JSON);

        ConnectionSpec toProxy = ConnectionSpec.withSecret(DbSettings.from(env), credentials);
        env.remove("DB_HOST");
        ConnectionSpec toInstance = ConnectionSpec.withSecret(DbSettings.from(env), credentials);

        assertThat(toProxy.jdbcUrl()).isEqualTo("jdbc:postgresql://proxy.example:5432/lab");
        assertThat(toInstance.jdbcUrl()).isEqualTo("jdbc:postgresql://instance.rds.example:5432/lab");
        assertThat(toProxy.credentials().getCredentials().getUsername()).isEqualTo("app");
    }

    @Test
    void aSecretWithoutHostAndNoDbHostIsAConfigurationError() {
        SecretsManagerCredentials credentials = new SecretsManagerCredentials("lab/db",
                id -> "{\"username\":\"app\",\"password\":\"pw-from-secret\"}");
        DbSettings settings = DbSettings.from(Map.of("DB_AUTH", "secrets-manager", "DB_SECRET_ARN", "lab/db"));

        assertThatThrownBy(() -> ConnectionSpec.withSecret(settings, credentials))
                .isInstanceOf(DbConfigurationException.class)
                .hasMessageContaining("DB_HOST is not set and secret lab/db has no host");
    }

    @Test
    void ipv6HostsAreBracketedInTheJdbcUrl() {
        ConnectionSpec spec = ConnectionSpec.create(DbSettings.from(
                Map.of("DATABASE_URL", "postgresql://app:pw-local-4@[::1]:6432/lab")));

        assertThat(spec.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:6432/lab");
    }
}
