package dev.lambdalab.testbed.docker;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.db.LabDatabase;
import dev.lambdalab.testbed.lambda.Invocation;
import dev.lambdalab.testbed.lambda.process.EventJson;
import dev.lambdalab.testbed.proxy.Proxy;
import dev.lambdalab.testbed.scenario.FunctionHost;
import dev.lambdalab.testbed.scenario.Scenario;
import dev.lambdalab.testbed.stack.CloudFormationYaml;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.testcontainers.localstack.LocalStackContainer;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.Runtime;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Functions run by LocalStack's Lambda, in real Lambda containers with AWS's Java runtime: functions.jar
 * deployed as both functions with template.yaml's own variables, the credentials in LocalStack's Secrets
 * Manager (read by the function at init through AWS SDK v2; LocalStack gives its Lambda containers the
 * endpoint), invoked through the SDK v2 LambdaClient. Everything else (scenarios, load, sampling,
 * results, assertions) is the emulator tier's.
 */
final class LocalStackHost implements FunctionHost, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final AtomicInteger FUNCTIONS = new AtomicInteger();

    private final TestBed testBed;
    private final LambdaClient lambda;
    private final byte[] jar;
    private final Map<String, Object> templateResources;
    private final String secretArn;

    LocalStackHost(LocalStackContainer localStack, TestBed testBed, Path functionsJar, Path template) throws IOException {
        this.testBed = testBed;
        this.jar = Files.readAllBytes(functionsJar);
        this.templateResources = map(CloudFormationYaml.load(template).get("Resources"));
        this.lambda = LocalStackSupport.configure(LambdaClient.builder(), localStack)
                .httpClient(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofMinutes(2)).build()).build();
        // The RDS secret JSON, as SecretTargetAttachment writes it in AWS; host and port as seen from the
        // Lambda containers (the functions override the host with DB_HOST, as in template.yaml).
        String secret = "{\"username\":\"" + LabDatabase.APP_ROLE + "\",\"password\":\"" + testBed.lab().appPassword()
                + "\",\"engine\":\"postgres\",\"host\":\"" + testBed.server().networkHost() + "\",\"port\":"
                + testBed.server().networkPort() + ",\"dbname\":\"" + LabDatabase.DATABASE + "\"}";
        try (SecretsManagerClient secrets = LocalStackSupport.configure(SecretsManagerClient.builder(), localStack)
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            this.secretArn = secrets.createSecret(request -> request.name("lab/db-" + UUID.randomUUID())
                    .secretString(secret)).arn();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    /** The function's variables as template.yaml sets them, with what names AWS resources pointed at the containers. */
    private Map<String, String> environment(Variant variant, Scenario scenario, Proxy proxy) {
        String logicalId = variant == Variant.FIXED ? "FixedFunction" : "BrokenFunction";
        Map<String, Object> templated = map(map(map(map(templateResources.get(logicalId)).get("Properties"))
                .get("Environment")).get("Variables"));
        Map<String, String> environment = new LinkedHashMap<>();
        templated.forEach((name, value) -> {
            if (value instanceof String text) {
                environment.put(name, text);
            }
        });
        environment.remove("DB_USER"); // IAM auth only
        environment.put("DB_AUTH", "secrets-manager");
        environment.put("DB_SECRET_ARN", secretArn);
        environment.put("DB_SSLMODE", "disable"); // the containers speak plain TCP; RDS and RDS Proxy require TLS
        boolean proxied = variant == Variant.FIXED && proxy != null;
        environment.put("DB_HOST", proxied ? proxy.networkHost() : testBed.server().networkHost());
        environment.put("DB_PORT", Integer.toString(proxied ? proxy.networkPort() : testBed.server().networkPort()));
        environment.putAll(scenario.settings());
        return environment;
    }

    @Override
    public Deployment deploy(Variant variant, Scenario scenario, Proxy proxy) {
        String name = "lab-" + variant.label() + "-" + FUNCTIONS.incrementAndGet();
        Map<String, String> environment = environment(variant, scenario, proxy);
        lambda.createFunction(request -> request.functionName(name)
                .runtime(Runtime.JAVA21)
                .handler(variant.handlerClass() + "::handleRequest")
                .role("arn:aws:iam::000000000000:role/lab-lambda")
                .code(code -> code.zipFile(SdkBytes.fromByteArray(jar)))
                .timeout(scenario.functionTimeout() == null ? 15 : (int) Math.max(1, scenario.functionTimeout().toSeconds()))
                .memorySize(1024)
                .environment(env -> env.variables(environment)));
        lambda.waiter().waitUntilFunctionActiveV2(request -> request.functionName(name));
        if (scenario.reservedConcurrency() != null) {
            lambda.putFunctionConcurrency(request -> request.functionName(name)
                    .reservedConcurrentExecutions(scenario.reservedConcurrency()));
        }
        return new Deployment() {
            @Override
            public Invocation invoke(Object event) {
                return LocalStackHost.this.invoke(name, (APIGatewayV2HTTPEvent) event);
            }

            @Override
            public long environmentsCreated() {
                return -1; // LocalStack does not say; the results count the environment ids the answers name
            }

            @Override
            public void close() {
                lambda.deleteFunction(request -> request.functionName(name));
            }
        };
    }

    private Invocation invoke(String function, APIGatewayV2HTTPEvent event) {
        long start = System.nanoTime();
        String requestId = UUID.randomUUID().toString();
        InvokeResponse response;
        try {
            response = lambda.invoke(request -> request.functionName(function)
                    .payload(SdkBytes.fromUtf8String(EventJson.httpApi(event))));
        } catch (TooManyRequestsException e) {
            return new Invocation(requestId, Invocation.Outcome.THROTTLED, null, "TooManyRequestsException",
                    e.getMessage(), null, false, Duration.ZERO, Duration.ZERO);
        }
        Duration duration = Duration.ofNanos(System.nanoTime() - start);
        String payload = response.payload().asUtf8String();
        try {
            if (response.functionError() != null) {
                JsonNode error = JSON.readTree(payload);
                String message = error.path("errorMessage").asText(payload);
                Invocation.Outcome outcome = message.contains("Task timed out") ? Invocation.Outcome.TIMED_OUT
                        : Invocation.Outcome.FUNCTION_ERROR;
                return new Invocation(requestId, outcome, null, error.path("errorType").asText(response.functionError()),
                        message, null, false, Duration.ZERO, duration);
            }
            APIGatewayV2HTTPResponse answer = JSON.readValue(payload, APIGatewayV2HTTPResponse.class);
            String environment = JSON.readTree(answer.getBody() == null ? "{}" : answer.getBody())
                    .path("environmentId").asText(null);
            return new Invocation(requestId, Invocation.Outcome.SUCCESS, answer, null, null, environment, false,
                    Duration.ZERO, duration);
        } catch (IOException e) {
            throw new UncheckedIOException("LocalStack answered something that is not the function's JSON: " + payload, e);
        }
    }

    @Override
    public void close() {
        lambda.close();
    }
}
