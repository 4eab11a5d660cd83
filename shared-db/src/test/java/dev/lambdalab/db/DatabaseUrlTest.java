package dev.lambdalab.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DatabaseUrlTest {

    @Test
    void prismaStyleUrlMapsEachParameterOntoItsSetting() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://user:pass@host:5432/db?connection_limit=1&pool_timeout=20"
                + "&connect_timeout=10&pgbouncer=true&sslmode=require");

        assertThat(url.user()).isEqualTo("user");
        assertThat(url.password()).isEqualTo("pass");
        assertThat(url.host()).isEqualTo("host");
        assertThat(url.port()).isEqualTo(5432);
        assertThat(url.database()).isEqualTo("db");
        assertThat(url.settings()).containsExactlyInAnyOrderEntriesOf(Map.of(
                Setting.POOL_MAX_SIZE, "1",
                Setting.POOL_TIMEOUT_MS, "20000",
                Setting.DB_CONNECT_TIMEOUT_S, "10",
                Setting.DB_PREPARE_THRESHOLD, "0",
                Setting.DB_SSLMODE, "require"));
    }

    @Test
    void percentEncodedCredentialsAndIpv6HostsAreDecoded() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://app%40corp:p%40ss%3Aword+x@[::1]:6432/my%20db?schema=sales");

        assertThat(url.user()).isEqualTo("app@corp");
        assertThat(url.password()).isEqualTo("p@ss:word+x");
        assertThat(url.host()).isEqualTo("::1");
        assertThat(url.port()).isEqualTo(6432);
        assertThat(url.database()).isEqualTo("my db");
        assertThat(url.currentSchema()).isEqualTo("sales");
    }

    @Test
    void portAndDatabaseAreOptional() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://app@localhost");

        assertThat(url.port()).isNull();
        assertThat(url.database()).isNull();
        assertThat(url.hasPassword()).isFalse();
    }

    @Test
    void toStringMasksThePassword() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://app:hunter2hunter2@db/app");

        assertThat(url.toString()).isEqualTo("postgresql://app:****@db/app").doesNotContain("hunter2");
    }

    @Test
    void unknownParameterIsNamedWithTheAllowedOnes() {
        assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://a:b@h/d?connection_limt=1"))
                .hasMessageContaining("unknown parameter connection_limt")
                .hasMessageContaining("connection_limit, pool_timeout");
    }

    @Test
    void zeroTimeoutsAreRefusedBecauseTheyMeanWaitForever() {
        assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://a:b@h/d?pool_timeout=0"))
                .hasMessageContaining("pool_timeout=0 means \"wait forever\"")
                .hasMessageContaining("from 1 to 600 (seconds)");
    }

    @Test
    void badValuesNameTheParameterAndTheValue() {
        assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://a:b@h/d?connection_limit=abc"))
                .hasMessage("parameter connection_limit must be an integer from 1 to 1600, got \"abc\"");
        assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://a:b@h:99999/d"))
                .hasMessage("port must be an integer from 1 to 65535, got \"99999\"");
        assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://a:b@h/d?pgbouncer=yes"))
                .hasMessage("parameter pgbouncer must be true or false, got \"yes\"");
    }

    @Test
    void otherSchemesAreRefused() {
        assertThatThrownBy(() -> DatabaseUrl.parse("mysql://a:b@h/d"))
                .hasMessage("must start with postgresql:// or postgres://");
    }

    @Test
    void aBadlyEncodedPasswordIsReportedWithoutQuotingIt() {
        assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://app:sec%zzret@h/d"))
                .hasMessage("has a badly percent-encoded password")
                .message().doesNotContain("sec");
    }
}
