package dev.lambdalab.testbed.apigw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdalab.testbed.lambda.Invocation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** API Gateway's Lambda proxy integration as the test bed serves a user's template: routes, events, answers. */
class ProxyIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ApiRoute ORDER = new ApiRoute("Get", ApiRoute.Kind.HTTP_API, "GET", "/orders/{id}", "2.0");
    private static final ApiRoute LEGACY = new ApiRoute("Rest", ApiRoute.Kind.REST_API, "post", "/legacy/{id}", "1.0");

    @Test
    void theMostSpecificRouteWinsAsApiGatewayChoosesIt() {
        RouteTable<String> table = new RouteTable<String>()
                .add(new ApiRoute("Default", ApiRoute.Kind.HTTP_API, "ANY", ApiRoute.DEFAULT_ROUTE, "2.0"), "default")
                .add(new ApiRoute("Greedy", ApiRoute.Kind.HTTP_API, "ANY", "/orders/{proxy+}", "2.0"), "greedy")
                .add(ORDER, "order")
                .add(new ApiRoute("Literal", ApiRoute.Kind.HTTP_API, "GET", "/orders/latest", "2.0"), "latest")
                .add(new ApiRoute("AnyOrder", ApiRoute.Kind.HTTP_API, "ANY", "/orders/{id}", "2.0"), "any-order");
        assertThat(table.match("GET", "/orders/latest").orElseThrow().target()).as("literal before variable")
                .isEqualTo("latest");
        assertThat(table.match("GET", "/orders/7").orElseThrow().target()).isEqualTo("order");
        assertThat(table.match("GET", "/orders/7").orElseThrow().pathParameters()).isEqualTo(Map.of("id", "7"));
        assertThat(table.match("DELETE", "/orders/7").orElseThrow().target()).as("the method first, then ANY")
                .isEqualTo("any-order");
        assertThat(table.match("GET", "/orders/7/lines/2").orElseThrow().pathParameters())
                .as("a greedy variable takes the rest").isEqualTo(Map.of("proxy", "7/lines/2"));
        assertThat(table.match("GET", "/Orders/7").orElseThrow().target()).as("case-sensitive, then $default")
                .isEqualTo("default");
        assertThat(new RouteTable<String>().add(ORDER, "o").match("GET", "/orders/")).as("a variable is never empty")
                .isEmpty();
        assertThatThrownBy(() -> table.add(new ApiRoute("Again", ApiRoute.Kind.HTTP_API, "GET", "/orders/{id}", "2.0"),
                "x")).hasMessage("route GET /orders/{id} is defined twice: events Get and Again");
    }

    @Test
    void payload20JoinsRepeatedValuesAndMovesCookies() throws Exception {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("accept", List.of("a", "b"));
        headers.put("cookie", List.of("s=1; t=2"));
        headers.put("content-type", List.of("application/octet-stream"));
        JsonNode event = JSON.readTree(ProxyEvents.event(new ProxyEvents.Request("GET", "/orders/7", "x=1&x=2&y=%20",
                headers, new byte[] {1, 2}, "10.0.0.1"), ORDER, Map.of("id", "7")));
        assertThat(event.path("version").asText()).isEqualTo("2.0");
        assertThat(event.path("routeKey").asText()).isEqualTo("GET /orders/{id}");
        assertThat(event.path("headers").path("accept").asText()).isEqualTo("a,b");
        assertThat(event.path("headers").has("cookie")).as("cookies move to their own field").isFalse();
        assertThat(event.path("cookies").toString()).isEqualTo("[\"s=1\",\"t=2\"]");
        assertThat(event.path("queryStringParameters").path("x").asText()).isEqualTo("1,2");
        assertThat(event.path("queryStringParameters").path("y").asText()).isEqualTo(" ");
        assertThat(event.path("pathParameters").path("id").asText()).isEqualTo("7");
        assertThat(event.path("requestContext").path("http").path("sourceIp").asText()).isEqualTo("10.0.0.1");
        assertThat(event.path("isBase64Encoded").asBoolean()).as("a binary body is base64").isTrue();
        assertThat(event.path("body").asText()).isEqualTo("AQI=");
    }

    @Test
    void payload10KeepsEveryValueInItsMultiValueFields() throws Exception {
        JsonNode event = JSON.readTree(ProxyEvents.event(new ProxyEvents.Request("POST", "/legacy/3", "x=1&x=2",
                Map.of("accept", List.of("a", "b")), "{}".getBytes(StandardCharsets.UTF_8), "127.0.0.1"), LEGACY,
                Map.of("id", "3")));
        assertThat(event.path("resource").asText()).isEqualTo("/legacy/{id}");
        assertThat(event.path("httpMethod").asText()).isEqualTo("POST");
        assertThat(event.path("headers").path("accept").asText()).as("the last value").isEqualTo("b");
        assertThat(event.path("multiValueHeaders").path("accept")).hasSize(2);
        assertThat(event.path("queryStringParameters").path("x").asText()).isEqualTo("2");
        assertThat(event.path("multiValueQueryStringParameters").path("x")).hasSize(2);
        assertThat(event.path("requestContext").path("stage").asText()).isEqualTo("Prod");
        assertThat(event.path("body").asText()).isEqualTo("{}");
        assertThat(event.path("isBase64Encoded").asBoolean()).isFalse();
    }

    @Test
    void answersFollowTheFunctionOrTheGatewaysOwnRules() {
        APIGatewayV2HTTPResponse created = APIGatewayV2HTTPResponse.builder().withStatusCode(201)
                .withHeaders(Map.of("x-a", "1")).withBody("ok").build();
        ProxyAnswers.Answer answer = ProxyAnswers.answer(success(created), ORDER);
        assertThat(answer.status()).isEqualTo(201);
        assertThat(answer.bodyText()).isEqualTo("ok");
        assertThat(answer.headers()).containsEntry("x-a", List.of("1"));
        ProxyAnswers.Answer plain = ProxyAnswers.answer(success("{\"n\":1}"), ORDER);
        assertThat(plain.status()).as("2.0: JSON without statusCode is a 200").isEqualTo(200);
        assertThat(plain.bodyText()).isEqualTo("{\"n\":1}");
        ProxyAnswers.Answer malformed = ProxyAnswers.answer(success("{\"n\":1}"), LEGACY);
        assertThat(malformed.status()).as("1.0 needs a statusCode; REST answers 502").isEqualTo(502);
        assertThat(malformed.bodyText()).isEqualTo("{\"message\": \"Internal server error\"}");
        Invocation threw = Invocation.failed("r", Invocation.Outcome.FUNCTION_ERROR,
                new Invocation.Served("e", false, Duration.ZERO), "java.lang.IllegalStateException", "boom",
                Duration.ofMillis(3));
        ProxyAnswers.Answer error = ProxyAnswers.answer(threw, ORDER);
        assertThat(error.status()).isEqualTo(500);
        assertThat(error.bodyText()).isEqualTo("{\"message\":\"Internal Server Error\"}");
        assertThat(error.headers().get(ProxyAnswers.LAMBDA_ERROR_HEADER))
                .containsExactly("FUNCTION_ERROR: java.lang.IllegalStateException");
    }

    private static Invocation success(Object response) {
        return Invocation.success("r", new Invocation.Served("e", false, Duration.ZERO), response, Duration.ofMillis(1));
    }
}
