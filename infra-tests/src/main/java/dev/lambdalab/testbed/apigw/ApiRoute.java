package dev.lambdalab.testbed.apigw;

import java.util.Locale;
import java.util.Objects;

/**
 * One API event of a function ({@code Events: X: Type: HttpApi | Api}): the method and path API Gateway routes to it
 * and the payload format the function receives (the template is read by {@code stack.ApiEvents}). SAM's defaults
 * ("AWS::Serverless::Function HttpApi"): an HttpApi event without Path and Method is the API's {@code $default} route,
 * and its PayloadFormatVersion is 2.0; an Api (REST API) event always gets payload 1.0.
 *
 * @param eventId the event's name in the template
 * @param kind HTTP API or REST API
 * @param method the method, upper case, or {@code ANY}
 * @param path the path with its variables ({@code /orders/{id}}, {@code /{proxy+}}), or {@code $default}
 * @param payloadVersion {@code 1.0} or {@code 2.0}
 */
public record ApiRoute(String eventId, Kind kind, String method, String path, String payloadVersion) {

    /** The two kinds of API Gateway API a SAM event can name. */
    public enum Kind {
        /** {@code Type: HttpApi}: API Gateway's HTTP API. */
        HTTP_API("HttpApi"),
        /** {@code Type: Api}: API Gateway's REST API. */
        REST_API("Api");

        private final String eventType;

        Kind(String eventType) {
            this.eventType = eventType;
        }

        public String eventType() {
            return eventType;
        }
    }

    /** The route every request no other route matches goes to. */
    public static final String DEFAULT_ROUTE = "$default";

    public ApiRoute {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(kind, "kind");
        method = method.toUpperCase(Locale.ROOT);
        if (!path.equals(DEFAULT_ROUTE) && !path.startsWith("/")) {
            throw new IllegalArgumentException("event " + eventId + ": Path must start with '/', got \"" + path + "\"");
        }
        if (!payloadVersion.equals("1.0") && !payloadVersion.equals("2.0")) {
            throw new IllegalArgumentException("event " + eventId + ": PayloadFormatVersion must be 1.0 or 2.0, got \""
                    + payloadVersion + "\"");
        }
    }

    /** API Gateway's route key: {@code GET /orders/{id}}, or {@code $default}. */
    public String routeKey() {
        return path.equals(DEFAULT_ROUTE) ? DEFAULT_ROUTE : method + " " + path;
    }

    /** A request path that this route matches, with {@code 1} for every variable: what a "try" line shows. */
    public String examplePath() {
        return path.equals(DEFAULT_ROUTE) ? "/" : path.replaceAll("\\{[^}/]+\\+}", "a/b").replaceAll("\\{[^}/]+}", "1");
    }
}
