package dev.lambdalab.testbed.lambda.process;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Events as Lambda hands them to a runtime: the JSON its source sends. A process environment's runtime client
 * (and LocalStack's) reads this JSON with its own deserialiser, so the field names must be the source's.
 */
public final class EventJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private EventJson() {
    }

    /** An API Gateway HTTP API event, payload format 2.0 field names. */
    public static String httpApi(APIGatewayV2HTTPEvent event) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", event.getVersion());
        root.put("routeKey", event.getRouteKey());
        root.put("rawPath", event.getRawPath());
        root.put("rawQueryString", event.getRawQueryString());
        if (event.getHeaders() != null) {
            root.set("headers", JSON.valueToTree(event.getHeaders()));
        }
        if (event.getQueryStringParameters() != null) {
            root.set("queryStringParameters", JSON.valueToTree(event.getQueryStringParameters()));
        }
        APIGatewayV2HTTPEvent.RequestContext context = event.getRequestContext();
        if (context != null) {
            ObjectNode requestContext = root.putObject("requestContext");
            requestContext.put("accountId", context.getAccountId());
            requestContext.put("apiId", context.getApiId());
            requestContext.put("domainName", context.getDomainName());
            requestContext.put("domainPrefix", context.getDomainPrefix());
            requestContext.put("requestId", context.getRequestId());
            requestContext.put("routeKey", context.getRouteKey());
            requestContext.put("stage", context.getStage());
            requestContext.put("time", context.getTime());
            requestContext.put("timeEpoch", context.getTimeEpoch());
            if (context.getHttp() != null) {
                ObjectNode http = requestContext.putObject("http");
                http.put("method", context.getHttp().getMethod());
                http.put("path", context.getHttp().getPath());
                http.put("protocol", context.getHttp().getProtocol());
                http.put("sourceIp", context.getHttp().getSourceIp());
                http.put("userAgent", context.getHttp().getUserAgent());
            }
        }
        if (event.getBody() != null) {
            root.put("body", event.getBody());
        }
        root.put("isBase64Encoded", event.getIsBase64Encoded());
        return root.toString();
    }
}
