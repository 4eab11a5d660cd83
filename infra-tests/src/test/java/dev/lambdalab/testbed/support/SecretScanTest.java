package dev.lambdalab.testbed.support;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The leak scan must itself be able to fail: a planted secret or an unmasked token is found. */
class SecretScanTest {

    @Test
    void aPlantedSecretIsFoundAndNotQuotedInTheFailure() {
        SecretScan scan = new SecretScan().add("log", "login as app with pa55-planted-word failed");

        assertThatThrownBy(() -> scan.assertNoneOf(List.of("pa55-planted-word")))
                .hasMessageContaining("log: a secret of length 17")
                .hasMessageNotContaining("pa55-planted-word");
    }

    @Test
    void unmaskedTokenUrlAndPasswordShapesAreFound() {
        assertThatThrownBy(() -> new SecretScan().add("answer",
                "proxy:5432/?Action=connect&X-Amz-Signature=0123456789abcdef").assertNoneOf(List.of()))
                .hasMessageContaining("X-Amz-Signature");
        assertThatThrownBy(() -> new SecretScan().add("report", "postgresql://app:hunter22@db:5432/lab")
                .assertNoneOf(List.of())).hasMessageContaining("unmasked");
        assertThatThrownBy(() -> new SecretScan().add("log", "password=hunter22").assertNoneOf(List.of()))
                .hasMessageContaining("unmasked");
    }

    @Test
    void maskedValuesPass() {
        assertThatCode(() -> new SecretScan()
                .add("log", "postgresql://app:****@db:5432/lab password=**** X-Amz-Signature=**** password=****")
                .assertNoneOf(List.of("hunter22"))).doesNotThrowAnyException();
    }
}
