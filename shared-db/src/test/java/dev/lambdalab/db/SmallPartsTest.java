package dev.lambdalab.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmallPartsTest {

    @Test
    void jsonEscapesQuotesBackslashesAndControlCharacters() {
        String json = new JsonObject().put("text", "a \"quoted\" \\ path\n\u0001").put("n", 1.5).put("b", true)
                .put("nil", null).put("list", List.of(1, "x")).put("map", Map.of("k", 2))
                .put("nested", new JsonObject().put("cause", FailureCause.POOL_TIMEOUT)).toString();

        assertThat(json).isEqualTo("{\"text\":\"a \\\"quoted\\\" \\\\ path\\n\\u0001\",\"n\":1.5,\"b\":true,"
                + "\"nil\":null,\"list\":[1,\"x\"],\"map\":{\"k\":2},\"nested\":{\"cause\":\"POOL_TIMEOUT\"}}");
    }

    @Test
    void redactorMasksRegisteredSecretsUrlPasswordsAndSignedTokens() {
        Redactor.register("my-registered-secret");

        assertThat(Redactor.redact("auth with my-registered-secret failed")).isEqualTo("auth with **** failed");
        assertThat(Redactor.redact("postgresql://app:hunter2@db/app")).isEqualTo("postgresql://app:****@db/app");
        assertThat(Redactor.redact("host:5432/?Action=connect&DBUser=app&X-Amz-Signature=abcdef0123&X-Amz-Date=1"))
                .contains("X-Amz-Signature=****").doesNotContain("abcdef0123");
        assertThat(Redactor.redact("password=letmein user=app")).isEqualTo("password=**** user=app");
    }

    @Test
    void environmentIdComesFromTheLambdaLogStreamName() {
        assertThat(ExecutionEnvironment.idFrom("2026/11/28/[$LATEST]0123456789ABCDEF0123456789abcdef"))
                .isEqualTo("0123456789abcdef0123456789abcdef");
        assertThat(ExecutionEnvironment.idFrom(null)).matches("[0-9a-f]{32}");
        assertThat(ExecutionEnvironment.idFrom("no id here")).matches("[0-9a-f]{32}");
    }
}
