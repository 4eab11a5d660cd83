package dev.lambdalab.testbed.stack;

import dev.lambdalab.testbed.apigw.ApiRoute;
import dev.lambdalab.testbed.apigw.ApiRoute.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A function's {@code Events} as API Gateway routes: its HttpApi and Api events, with SAM's defaults. */
final class ApiEvents {

    private ApiEvents() {
    }

    /** Reads a function's API events; other event types (SQS, Schedule, ...) are not routes and are left out. */
    static List<ApiRoute> routes(StackTemplate template, Map<String, Object> events) {
        List<ApiRoute> routes = new ArrayList<>();
        events.forEach((id, event) -> {
            Map<String, Object> definition = StackTemplate.map(event);
            String type = template.text(definition.get("Type")).orElse("");
            Map<String, Object> properties = StackTemplate.map(definition.get("Properties"));
            Optional<String> path = template.text(properties.get("Path"));
            Optional<String> method = template.text(properties.get("Method"));
            if (type.equals(Kind.HTTP_API.eventType())) {
                routes.add(new ApiRoute(id, Kind.HTTP_API, method.orElse("ANY"), path.orElse(ApiRoute.DEFAULT_ROUTE),
                        template.text(properties.get("PayloadFormatVersion")).orElse("2.0")));
            } else if (type.equals(Kind.REST_API.eventType())) {
                routes.add(new ApiRoute(id, Kind.REST_API, method.orElseThrow(() -> new IllegalArgumentException(
                        "event " + id + " (Api) has no Method")), path.orElseThrow(() -> new IllegalArgumentException(
                                "event " + id + " (Api) has no Path")), "1.0"));
            }
        });
        return routes;
    }
}
