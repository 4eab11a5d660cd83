package dev.lambdalab.testbed.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one Secrets Manager call the functions make, {@code GetSecretValue}, served on a loopback port
 * for the test bed's credential faults, so the functions' real AWS SDK client reads a secret the test
 * bed can rotate. The functions reach it through AWS_ENDPOINT_URL_SECRETS_MANAGER.
 *
 * <p>A stand-in, like PgBouncer for RDS Proxy: it speaks the service's JSON 1.1 protocol
 * ({@code X-Amz-Target: secretsmanager.GetSecretValue}) and answers errors the way the service does
 * ({@code ResourceNotFoundException}), but checks only that a request is signed with the expected access
 * key id, not the signature itself. Where Docker runs, the LocalStack tests use the real API instead.
 */
public final class LocalSecretsManager implements AutoCloseable {

    /** The access key id the functions sign with (not a secret: the key it names exists nowhere). */
    public static final String ACCESS_KEY_ID = "AKIATESTBEDLOCAL0001";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();
    private final Map<String, String> arns = new ConcurrentHashMap<>();
    private final AtomicInteger rejected = new AtomicInteger();
    private final String secretAccessKey = "testbed-" + UUID.randomUUID();
    private HttpServer server;
    private ExecutorService executor;

    /** Starts listening on a free loopback port. */
    public synchronized LocalSecretsManager start() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the local Secrets Manager: " + e.getMessage(), e);
        }
        executor = Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "local-secretsmanager");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        return this;
    }

    /** The endpoint URL for AWS_ENDPOINT_URL_SECRETS_MANAGER. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A secret access key for the functions' environment; the endpoint does not verify signatures. */
    public String secretAccessKey() {
        return secretAccessKey;
    }

    /**
     * The variables a function needs to read secrets here: the endpoint, and the keys Lambda would set
     * from the function's execution role (AWS_REGION is the emulator's to set).
     */
    public Map<String, String> functionEnvironment() {
        return Map.of("AWS_ENDPOINT_URL_SECRETS_MANAGER", endpoint(), "AWS_ACCESS_KEY_ID", ACCESS_KEY_ID,
                "AWS_SECRET_ACCESS_KEY", secretAccessKey);
    }

    /** Creates or replaces a secret's string (a rotation writes a new one). */
    public void putSecret(String secretId, String secretString) {
        secrets.put(Objects.requireNonNull(secretId, "secretId"), Objects.requireNonNull(secretString, "secretString"));
    }

    /**
     * Creates or replaces a secret that callers may name by its ARN or its name, as Secrets Manager's SecretId
     * accepts either; answers give the ARN.
     */
    public void putSecret(String arn, String name, String secretString) {
        putSecret(arn, secretString);
        putSecret(name, secretString);
        arns.put(name, arn);
    }

    /** GetSecretValue calls answered for this secret. */
    public int reads(String secretId) {
        AtomicInteger count = reads.get(secretId);
        return count == null ? 0 : count.get();
    }

    /** Requests refused as unsigned or signed with another key. */
    public int rejectedRequests() {
        return rejected.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            byte[] requestBody = exchange.getRequestBody().readAllBytes();
            if (authorization == null || !authorization.contains("Credential=" + ACCESS_KEY_ID + "/")) {
                rejected.incrementAndGet();
                error(exchange, 400, "UnrecognizedClientException", "The security token included in the request is invalid.");
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod()) || !"secretsmanager.GetSecretValue".equals(target)) {
                error(exchange, 400, "InvalidAction", "Only secretsmanager.GetSecretValue is served here, got " + target);
                return;
            }
            JsonNode request = JSON.readTree(requestBody);
            String secretId = request.path("SecretId").asText("");
            String secretString = secrets.get(secretId);
            if (secretString == null) {
                error(exchange, 400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
                return;
            }
            reads.computeIfAbsent(secretId, id -> new AtomicInteger()).incrementAndGet();
            String arn = secretId.startsWith("arn:") ? secretId : arns.getOrDefault(secretId,
                    "arn:aws:secretsmanager:eu-west-1:000000000000:secret:" + secretId);
            String name = arns.entrySet().stream().filter(e -> e.getValue().equals(arn)).map(Map.Entry::getKey)
                    .findFirst().orElse(secretId);
            ObjectNode answer = JSON.createObjectNode()
                    .put("ARN", arn)
                    .put("Name", name)
                    .put("SecretString", secretString)
                    .put("VersionId", UUID.nameUUIDFromBytes(secretString.getBytes(StandardCharsets.UTF_8)).toString())
                    .put("CreatedDate", System.currentTimeMillis() / 1000.0);
            answer.putArray("VersionStages").add("AWSCURRENT");
            send(exchange, 200, JSON.writeValueAsBytes(answer));
        }
    }

    private static void error(HttpExchange exchange, int status, String type, String message) throws IOException {
        send(exchange, status, JSON.writeValueAsBytes(JSON.createObjectNode().put("__type", type).put("message", message)));
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
    }
}
