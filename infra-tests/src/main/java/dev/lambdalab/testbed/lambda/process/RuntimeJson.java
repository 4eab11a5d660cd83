package dev.lambdalab.testbed.lambda.process;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdalab.testbed.lambda.sandbox.RuntimeReportedError;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** The JSON a process environment's runtime client reads and writes: events, answers, errors, trace ids. */
public final class RuntimeJson {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private RuntimeJson() {
    }

    /** The event as the runtime client receives it. */
    static String event(Object event) throws IOException {
        if (event == null) {
            return "null";
        }
        if (event instanceof String text) {
            return text;
        }
        if (event instanceof APIGatewayV2HTTPEvent http) {
            return EventJson.httpApi(http);
        }
        return JSON.writeValueAsString(event);
    }

    /** The runtime's JSON answer as the handler returned it: an HTTP API response, else the JSON text. */
    static Object answer(String body) {
        try {
            JsonNode tree = JSON.readTree(body);
            if (tree != null && tree.isObject() && tree.has("statusCode")) {
                return JSON.treeToValue(tree, APIGatewayV2HTTPResponse.class);
            }
        } catch (IOException e) {
            // not JSON: hand it back as text
        }
        return body;
    }

    /** The error the runtime client reported: its errorType and errorMessage, else the header and the body. */
    static RuntimeReportedError error(String typeHeader, String body) {
        String type = typeHeader;
        String message = body;
        try {
            JsonNode tree = JSON.readTree(body);
            if (tree != null && tree.isObject()) {
                type = tree.path("errorType").asText(typeHeader);
                message = tree.path("errorMessage").asText(body);
            }
        } catch (IOException e) {
            // the body is not the runtime client's JSON: keep it as the message
        }
        return new RuntimeReportedError(type, message);
    }

    /** An X-Ray trace header, as Lambda passes one to every invocation. */
    static String traceId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return String.format(Locale.ROOT, "Root=1-%08x-%024x;Parent=%016x;Sampled=0",
                System.currentTimeMillis() / 1000, random.nextLong() & 0xFFFFFFFFFFFFL, random.nextLong());
    }

    /** The invoked function's ARN, as the Runtime API's Lambda-Runtime-Invoked-Function-Arn header gives it. */
    static String functionArn(Map<String, String> environment) {
        return "arn:aws:lambda:" + environment.getOrDefault("AWS_REGION", "us-east-1") + ":000000000000:function:"
                + environment.getOrDefault("AWS_LAMBDA_FUNCTION_NAME", "unknown");
    }
}
