package dev.lambdalab.testbed.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdalab.testbed.lambda.Invocation;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Reading the handlers' answers in tests. */
public final class Http {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Http() {
    }

    /** The HTTP API response of a successful invocation. */
    public static APIGatewayV2HTTPResponse response(Invocation invocation) {
        assertThat(invocation.outcome()).as("Lambda outcome of %s", invocation).isEqualTo(Invocation.Outcome.SUCCESS);
        return (APIGatewayV2HTTPResponse) invocation.response();
    }

    public static JsonNode body(APIGatewayV2HTTPResponse response) {
        try {
            return JSON.readTree(response.getBody());
        } catch (IOException e) {
            throw new UncheckedIOException("the body is not JSON: " + response.getBody(), e);
        }
    }

    /** The body of a successful invocation whose answer has the given status. */
    public static JsonNode body(Invocation invocation, int expectedStatus) {
        APIGatewayV2HTTPResponse response = response(invocation);
        assertThat(response.getStatusCode()).as("status; body %s", response.getBody()).isEqualTo(expectedStatus);
        assertThat(response.getHeaders()).containsEntry("content-type", "application/json");
        return body(response);
    }
}
