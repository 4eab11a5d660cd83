package dev.lambdalab.testbed.apigw;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** API Gateway HTTP API events, payload format 2.0, as the gateway builds them for a route. */
public final class HttpApiEvents {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH);

    private HttpApiEvents() {
    }

    /** {@code GET path?holdMs=N}. */
    public static APIGatewayV2HTTPEvent get(String path, int holdMillis) {
        return request("GET", path, Map.of("holdMs", Integer.toString(holdMillis)), Map.of(), null);
    }

    /**
     * Any request. Query parameters that repeat are joined with commas, as the gateway does.
     *
     * @param query the query parameters, or an empty map
     */
    public static APIGatewayV2HTTPEvent request(String method, String path, Map<String, String> query,
            Map<String, String> headers, String body) {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        StringBuilder rawQuery = new StringBuilder();
        query.forEach((key, value) -> rawQuery.append(rawQuery.length() == 0 ? "" : "&").append(key).append('=')
                .append(value));
        Map<String, String> allHeaders = new LinkedHashMap<>();
        allHeaders.put("host", "localhost");
        allHeaders.put("user-agent", "testbed");
        allHeaders.putAll(headers);
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey(method + " " + path)
                .withRawPath(path)
                .withRawQueryString(rawQuery.toString())
                .withHeaders(allHeaders)
                .withQueryStringParameters(query.isEmpty() ? null : Map.copyOf(query))
                .withBody(body)
                .withIsBase64Encoded(false)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withAccountId("000000000000")
                        .withApiId("testbed")
                        .withDomainName("localhost")
                        .withDomainPrefix("localhost")
                        .withStage("$default")
                        .withRouteKey(method + " " + path)
                        .withRequestId(UUID.randomUUID().toString())
                        .withTime(TIME.format(now))
                        .withTimeEpoch(now.toInstant().toEpochMilli())
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                .withMethod(method)
                                .withPath(path)
                                .withProtocol("HTTP/1.1")
                                .withSourceIp("127.0.0.1")
                                .withUserAgent(allHeaders.get("user-agent"))
                                .build())
                        .build())
                .build();
    }
}
