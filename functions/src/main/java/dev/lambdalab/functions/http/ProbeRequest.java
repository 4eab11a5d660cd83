package dev.lambdalab.functions.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A validated request: how long to hold the connection ({@code ?holdMs=50}), so experiments can dial
 * the load. Only the parameters listed here are accepted, so a typo ({@code ?holdms=50}) is a 400
 * instead of a silent default.
 *
 * @param holdMillis how long the request holds its database connection
 */
public record ProbeRequest(int holdMillis) {

    /** Upper bound of holdMs: with the proxy's wait (5 s) below the socket timeout (12 s), and within the timeout budget. */
    public static final int MAX_HOLD_MS = 5000;
    /** Largest body accepted; the probe reads none, so anything bigger is a client mistake. */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    private static final String HOLD_MS = "holdMs";
    private static final int ECHO_LIMIT = 40;
    private static final Pattern ASCII_DIGITS = Pattern.compile("[0-9]{1,9}");

    /**
     * Validates an API Gateway HTTP API (payload 2.0) event.
     *
     * @throws BadRequestException naming the field, the bad value and what is allowed
     */
    public static ProbeRequest from(APIGatewayV2HTTPEvent event) throws BadRequestException {
        if (event == null) {
            throw new BadRequestException("event", "the event is missing: expected an API Gateway HTTP API"
                    + " (payload format 2.0) event");
        }
        String body = event.getBody();
        if (body != null && body.length() > MAX_BODY_BYTES / 3) { // below that, even 3-byte characters fit
            int bytes = body.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_BODY_BYTES) {
                throw new BadRequestException("body", "body must be at most " + MAX_BODY_BYTES + " bytes, got " + bytes);
            }
        }
        Map<String, String> query = event.getQueryStringParameters();
        if (query == null || query.isEmpty()) {
            return new ProbeRequest(0);
        }
        for (String name : query.keySet()) {
            if (!HOLD_MS.equals(name)) {
                throw new BadRequestException(String.valueOf(name), "unknown query parameter \"" + echo(name)
                        + "\"; allowed: " + HOLD_MS);
            }
        }
        String raw = query.get(HOLD_MS);
        String problem = HOLD_MS + " must be an integer from 0 to " + MAX_HOLD_MS + " (milliseconds), got \""
                + echo(raw) + "\"";
        // ASCII digits only: Integer.parseInt alone would also take "+5" and other scripts' digits ("٥").
        if (raw == null || !ASCII_DIGITS.matcher(raw).matches()) {
            throw new BadRequestException(HOLD_MS, problem);
        }
        int holdMillis = Integer.parseInt(raw);
        if (holdMillis > MAX_HOLD_MS) {
            throw new BadRequestException(HOLD_MS, problem);
        }
        return new ProbeRequest(holdMillis);
    }

    /** The value as the answer may echo it: short, and without control characters. */
    private static String echo(String value) {
        if (value == null) {
            return "";
        }
        String printable = value.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return printable.length() > ECHO_LIMIT ? printable.substring(0, ECHO_LIMIT) + "..." : printable;
    }
}
