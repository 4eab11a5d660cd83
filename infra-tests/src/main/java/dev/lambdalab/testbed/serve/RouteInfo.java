package dev.lambdalab.testbed.serve;

import java.util.Objects;

/**
 * How the live page and {@code /metrics} show a route: its key in the JSON, the page's id for its card, a title,
 * a note saying what is behind it, and a path to try it with.
 *
 * @param key the route's key in {@code /metrics} ({@code /fixed}, or a function's logical id)
 * @param id the card's element id prefix on the page (letters, digits, '-' and '_')
 * @param title the card's title
 * @param note what is behind the route, one line
 * @param tryPath a path a load tool can hit ({@code /fixed}, {@code /orders/1})
 */
public record RouteInfo(String key, String id, String title, String note, String tryPath) {

    public RouteInfo {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(note, "note");
        Objects.requireNonNull(tryPath, "tryPath");
        if (!id.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("id must be letters, digits, '-' or '_', got \"" + id + "\"");
        }
    }
}
