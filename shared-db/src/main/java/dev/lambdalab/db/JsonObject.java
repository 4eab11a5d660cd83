package dev.lambdalab.db;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A small ordered JSON object writer for response bodies. The handlers need only this, and it keeps a
 * JSON library out of the function's jar and its cold start. Values may be strings, numbers, booleans,
 * {@code null}, lists, maps with string keys and other JsonObjects.
 */
public final class JsonObject {

    private final Map<String, Object> fields = new LinkedHashMap<>();

    public JsonObject put(String name, Object value) {
        fields.put(Objects.requireNonNull(name, "name"), value);
        return this;
    }

    /** Adds the field only when the value is not null. */
    public JsonObject putIfNotNull(String name, Object value) {
        if (value != null) {
            put(name, value);
        }
        return this;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        write(out, fields);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String text) {
            quote(out, text);
        } else if (value instanceof Double number && (number.isNaN() || number.isInfinite())) {
            out.append("null"); // JSON has no NaN or Infinity
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        } else if (value instanceof JsonObject object) {
            write(out, object.fields);
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            String separator = "";
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                out.append(separator);
                quote(out, String.valueOf(entry.getKey()));
                out.append(':');
                write(out, entry.getValue());
                separator = ",";
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            String separator = "";
            for (Object item : list) {
                out.append(separator);
                write(out, item);
                separator = ",";
            }
            out.append(']');
        } else if (value instanceof Enum<?> constant) {
            quote(out, constant.name());
        } else {
            throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
        }
    }

    private static void quote(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
