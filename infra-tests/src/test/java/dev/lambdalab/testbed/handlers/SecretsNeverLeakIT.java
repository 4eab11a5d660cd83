package dev.lambdalab.testbed.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.apigw.HttpApiEvents;
import dev.lambdalab.testbed.apigw.HttpApiGateway;
import dev.lambdalab.testbed.aws.LocalSecretsManager;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.Invocation;
import dev.lambdalab.testbed.lambda.sandbox.FunctionLog;
import dev.lambdalab.testbed.support.LabExtension;
import dev.lambdalab.testbed.support.OutputCapture;
import dev.lambdalab.testbed.support.SecretScan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every way a credential can reach an error path, through both handlers: a wrong password (direct and
 * in DATABASE_URL), an RDS IAM token the server rejects, a secret that cannot be read, pgjdbc at DEBUG.
 * Nothing the functions answer or log, and nothing this JVM prints meanwhile, may hold the password,
 * the token or the AWS keys. (The faults' own scan is the last test of FaultsIT.)
 */
@ExtendWith(LabExtension.class)
class SecretsNeverLeakIT {

    @Test
    void noPasswordTokenOrKeyReachesAnAnswerALogLineOrTheConsole(TestBed testBed) throws Exception {
        testBed.resetConnections();
        String wrongPassword = "wrong-" + UUID.randomUUID();
        String awsSecretKey;
        List<String> answers = new ArrayList<>();
        List<String> logs = new ArrayList<>();
        try (OutputCapture console = OutputCapture.start(); LocalSecretsManager secrets = new LocalSecretsManager().start()) {
            awsSecretKey = secrets.secretAccessKey();
            Map<String, Map<String, String>> cases = new LinkedHashMap<>();
            cases.put("wrong DB_PASSWORD", Map.of("DB_PASSWORD", wrongPassword));
            cases.put("wrong password in DATABASE_URL", databaseUrl(testBed, wrongPassword));
            cases.put("pgjdbc at DEBUG with a wrong password", Map.of("DB_PASSWORD", wrongPassword,
                    "DB_JDBC_PARAMS", "loggerLevel=DEBUG&" + testBed.environment(null, Map.of()).get("DB_JDBC_PARAMS")));
            Map<String, String> iam = new LinkedHashMap<>(secrets.functionEnvironment());
            iam.remove("AWS_ENDPOINT_URL_SECRETS_MANAGER");
            iam.put("DB_AUTH", "iam");
            iam.put("DB_SSLMODE", "require"); // the embedded server has no TLS: the login fails either way
            cases.put("RDS IAM token", iam);
            Map<String, String> missingSecret = new LinkedHashMap<>(secrets.functionEnvironment());
            missingSecret.put("DB_AUTH", "secrets-manager");
            missingSecret.put("DB_SECRET_ARN", "lab/does-not-exist");
            cases.put("secret that does not exist", missingSecret);

            for (Map.Entry<String, Map<String, String>> c : cases.entrySet()) {
                for (Variant variant : Variant.values()) {
                    Map<String, String> environment = testBed.environment(null, Map.of());
                    if (c.getValue().containsKey("DB_AUTH") || c.getValue().containsKey("DATABASE_URL")) {
                        environment.remove("DB_PASSWORD");
                        environment.remove("DB_HOST");
                        environment.remove("DB_PORT");
                        environment.remove("DB_NAME");
                        environment.put("DB_HOST", testBed.server().host());
                        environment.put("DB_PORT", Integer.toString(testBed.server().port()));
                        environment.put("DB_NAME", "lab");
                    }
                    if ("secrets-manager".equals(c.getValue().get("DB_AUTH")) || c.getValue().containsKey("DATABASE_URL")) {
                        environment.remove("DB_USER");
                    }
                    if (c.getValue().containsKey("DATABASE_URL")) {
                        environment.remove("DB_HOST");
                        environment.remove("DB_PORT");
                        environment.remove("DB_NAME");
                    }
                    environment.putAll(c.getValue());
                    try (EmulatedFunction function = testBed.function(variant, environment).withRegion("eu-west-1")) {
                        Invocation invocation = function.invoke(HttpApiEvents.get(variant.path(), 0));
                        HttpApiGateway.Answer answer = HttpApiGateway.answer(invocation);
                        assertThat(answer.status()).as("%s, %s: %s", c.getKey(), variant, answer.body()).isIn(500, 503);
                        answers.add(answer.body());
                        answers.add(String.valueOf(invocation.errorMessage()));
                        function.log().lines().stream().map(FunctionLog.Line::text).forEach(logs::add);
                    }
                }
            }
            new SecretScan().add("answers", answers).add("function logs", logs).add("console", console.text())
                    .assertNoneOf(List.of(wrongPassword, awsSecretKey, testBed.lab().appPassword(),
                            testBed.lab().monitorPassword()));
            assertThat(console.text()).as("the copy holds HikariCP's own lines").contains("HikariDataSource - broken-");
            assertThat(String.join("\n", answers)).as("the failures are classified")
                    .contains("AUTHENTICATION", "Could not read secret lab/does-not-exist");
        }
    }

    private static Map<String, String> databaseUrl(TestBed testBed, String password) {
        return Map.of("DATABASE_URL", "postgresql://app:" + password + "@" + testBed.server().host() + ":"
                + testBed.server().port() + "/lab");
    }
}
