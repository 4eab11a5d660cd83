package dev.lambdalab.testbed.handlers;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.lambdalab.testbed.apigw.HttpApiEvents;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random API Gateway events for the fuzz test, each with what the handlers must answer, worked out from
 * the contract in ProbeRequest's documentation rather than from its code: 200 for a valid request, else
 * 400 naming one of the fields that are wrong.
 */
final class RandomEvents {

    /** An event and the answer it must get: {@code expectedFields} empty means 200. */
    record Case(int index, APIGatewayV2HTTPEvent event, List<String> expectedFields, String description) {
        boolean valid() {
            return expectedFields.isEmpty();
        }
    }

    private static final int MAX_HOLD_MS = 5000;
    private static final int MAX_BODY_BYTES = 64 * 1024;
    private static final String[] ODD_TEXT = {"", " ", "0x10", "1e3", "+5", "-0", "05", "٥", "５", "12 ", " 12", "1_000",
        "NaN", "Infinity", "null", "true", "9999999999", "2147483648", "-2147483649", "1.5", "1,2", "%31", "\u0000",
        "\n", "'; DROP TABLE x; --", "<script>", "holdMs", "\uD83D\uDE00", "\uFFFF", "1".repeat(200)};
    private static final String[] ODD_NAMES = {"holdms", "HOLDMS", "hold_ms", "holdMs ", " holdMs", "", "x", "holdMs[]",
        "\u0000", "h\u00f6ldMs", "debug", "password", "a".repeat(300)};

    private final SplittableRandom random;

    RandomEvents(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /**
     * The next case.
     *
     * @param allowValid false: only events that must be refused (for the broken handler, which would
     *     build a pool for a valid one)
     */
    Case next(int index, boolean allowValid) {
        while (true) {
            Case candidate = generate(index);
            if (allowValid || !candidate.valid()) {
                return candidate;
            }
        }
    }

    private Case generate(int index) {
        if (random.nextInt(200) == 0) {
            return new Case(index, null, List.of("event"), "no event");
        }
        StringBuilder description = new StringBuilder();
        String body = body(description);
        Map<String, String> query = query(description);
        APIGatewayV2HTTPEvent event = HttpApiEvents.request(method(), path(), Map.of(), headers(), null);
        event.setQueryStringParameters(query);
        event.setBody(body);
        event.setIsBase64Encoded(random.nextInt(10) == 0);
        if (random.nextInt(20) == 0) {
            event.setRequestContext(null);
        }
        if (random.nextInt(20) == 0) {
            event.setHeaders(null);
        }
        return new Case(index, event, expected(body, query), description.toString());
    }

    private static List<String> expected(String body, Map<String, String> query) {
        if (body != null && body.getBytes(StandardCharsets.UTF_8).length > MAX_BODY_BYTES) {
            return List.of("body");
        }
        if (query == null || query.isEmpty()) {
            return List.of();
        }
        List<String> unknown = query.keySet().stream().filter(name -> !"holdMs".equals(name))
                .map(String::valueOf).toList();
        if (!unknown.isEmpty()) {
            return unknown; // whichever the handler meets first
        }
        String value = query.get("holdMs");
        if (value != null && value.matches("[0-9]{1,9}") && Integer.parseInt(value) <= MAX_HOLD_MS) {
            return List.of();
        }
        return List.of("holdMs");
    }

    private String body(StringBuilder description) {
        return switch (random.nextInt(10)) {
            case 0 -> {
                description.append("body of ").append(MAX_BODY_BYTES + 1 + random.nextInt(1000)).append(" bytes; ");
                yield "x".repeat(MAX_BODY_BYTES + 1 + random.nextInt(1000));
            }
            case 1 -> {
                // 3-byte characters: fewer characters than the limit, more bytes
                int characters = MAX_BODY_BYTES / 3 + random.nextInt(MAX_BODY_BYTES / 2);
                description.append("body of ").append(characters).append(" three-byte characters; ");
                yield "€".repeat(characters);
            }
            case 2 -> "x".repeat(random.nextInt(MAX_BODY_BYTES + 1));
            case 3 -> randomText(50);
            default -> null;
        };
    }

    private Map<String, String> query(StringBuilder description) {
        int shape = random.nextInt(10);
        if (shape == 0) {
            return null;
        }
        if (shape == 1) {
            return Map.of();
        }
        Map<String, String> query = new LinkedHashMap<>();
        if (shape <= 6) {
            query.put("holdMs", holdValue());
        }
        if (shape >= 6) {
            int extra = 1 + random.nextInt(2);
            for (int i = 0; i < extra; i++) {
                query.put(random.nextBoolean() ? pick(ODD_NAMES) : randomText(12), randomText(8));
            }
        }
        if (random.nextInt(50) == 0) {
            Map<String, String> withNull = new HashMap<>(query);
            withNull.put("holdMs", null); // what a JSON event with "holdMs": null deserialises to
            query = withNull;
        }
        description.append("query ").append(query.keySet());
        return query;
    }

    private String holdValue() {
        return switch (random.nextInt(6)) {
            case 0, 1 -> Integer.toString(random.nextInt(21)); // valid and quick
            case 2 -> Integer.toString(MAX_HOLD_MS + 1 + random.nextInt(1_000_000));
            case 3 -> Integer.toString(-1 - random.nextInt(1_000_000));
            case 4 -> pick(ODD_TEXT);
            default -> randomText(15);
        };
    }

    private String method() {
        return pick(new String[] {"GET", "POST", "DELETE", "PATCH", "get", ""});
    }

    private String path() {
        return pick(new String[] {"/fixed", "/broken", "/", "/fixed/../etc/passwd", "/%00"});
    }

    private Map<String, String> headers() {
        Map<String, String> headers = new LinkedHashMap<>();
        if (random.nextBoolean()) {
            headers.put("content-type", pick(new String[] {"application/json", "text/plain", "", "\u0000"}));
        }
        if (random.nextInt(4) == 0) {
            headers.put(randomText(10), randomText(30));
        }
        return headers;
    }

    private String randomText(int maxLength) {
        int length = random.nextInt(maxLength + 1);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(10);
            if (kind < 6) {
                text.append((char) (0x20 + random.nextInt(0x5f))); // printable ASCII
            } else if (kind < 8) {
                text.append((char) random.nextInt(0x20)); // control characters
            } else {
                text.appendCodePoint(0xa0 + random.nextInt(0x2000)); // beyond ASCII
            }
        }
        return text.toString();
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }
}
