package dev.lambdalab.testbed.apigw;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * API Gateway's route selection over the routes of a template's functions: "API Gateway selects the route with the
 * most-specific match" ("Working with routes for HTTP APIs"): a route without variables before one with path
 * variables, those before a greedy {@code {proxy+}}, and {@code $default} last; a route for the method before
 * {@code ANY}. Paths match case-sensitively, segment by segment; a variable takes one non-empty segment, a greedy
 * variable the rest of the path.
 *
 * @param <T> what a route leads to (the function that serves it)
 */
public final class RouteTable<T> {

    /** A route and what it leads to. */
    public record Entry<T>(ApiRoute route, T target) {
    }

    /** The route a request matched, what it leads to, and the values of its path variables. */
    public record Match<T>(ApiRoute route, T target, Map<String, String> pathParameters) {
    }

    private final List<Entry<T>> entries = new ArrayList<>();

    /**
     * Adds a route.
     *
     * @throws IllegalArgumentException when another route has the same route key (API Gateway refuses it too)
     */
    public RouteTable<T> add(ApiRoute route, T target) {
        for (Entry<T> entry : entries) {
            if (entry.route().routeKey().equals(route.routeKey()) && entry.route().kind() == route.kind()) {
                throw new IllegalArgumentException("route " + route.routeKey() + " is defined twice: events "
                        + entry.route().eventId() + " and " + route.eventId());
            }
        }
        entries.add(new Entry<>(route, target));
        entries.sort(Comparator.comparingInt((Entry<T> e) -> rank(e.route())).thenComparing(e -> e.route().path()));
        return this;
    }

    public List<Entry<T>> entries() {
        return List.copyOf(entries);
    }

    /** The most specific route for the request, if any. */
    public Optional<Match<T>> match(String method, String path) {
        for (Entry<T> entry : entries) {
            ApiRoute route = entry.route();
            if (!route.method().equals("ANY") && !route.method().equals(method)) {
                continue;
            }
            Optional<Map<String, String>> parameters = route.path().equals(ApiRoute.DEFAULT_ROUTE)
                    ? Optional.of(Map.of()) : parameters(route.path(), path);
            if (parameters.isPresent()) {
                return Optional.of(new Match<>(route, entry.target(), parameters.get()));
            }
        }
        return Optional.empty();
    }

    /** Lower is more specific: literal paths, then variables, then greedy ones, then $default; ANY after a method. */
    private static int rank(ApiRoute route) {
        int kind = route.path().equals(ApiRoute.DEFAULT_ROUTE) ? 3 : route.path().contains("+}") ? 2
                : route.path().contains("{") ? 1 : 0;
        return kind * 2 + (route.method().equals("ANY") ? 1 : 0);
    }

    /** The variables' values when the path matches the pattern. */
    static Optional<Map<String, String>> parameters(String pattern, String path) {
        String[] wanted = segments(pattern);
        String[] given = segments(path);
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < wanted.length; i++) {
            String segment = wanted[i];
            boolean variable = segment.startsWith("{") && segment.endsWith("}");
            if (variable && segment.endsWith("+}")) {
                if (i >= given.length) {
                    return Optional.empty();
                }
                values.put(segment.substring(1, segment.length() - 2), String.join("/", List.of(given)
                        .subList(i, given.length)));
                return Optional.of(values);
            }
            if (i >= given.length || given[i].isEmpty()) {
                return Optional.empty();
            }
            if (variable) {
                values.put(segment.substring(1, segment.length() - 1), given[i]);
            } else if (!segment.equals(given[i])) {
                return Optional.empty();
            }
        }
        return wanted.length == given.length ? Optional.of(values) : Optional.empty();
    }

    private static String[] segments(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        if (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
    }
}
