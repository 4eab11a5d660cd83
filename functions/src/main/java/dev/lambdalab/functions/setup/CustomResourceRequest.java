package dev.lambdalab.functions.setup;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A CloudFormation custom resource request as Lambda hands it over (a JSON object read into a map), checked field by
 * field, and the answer CloudFormation expects back at its {@code ResponseURL} ("Custom resource request objects" and
 * "Custom resource response objects" in the CloudFormation user guide).
 *
 * @param type Create, Update or Delete
 * @param responseUrl the pre-signed S3 URL the answer goes to
 * @param physicalResourceId the resource's id from an earlier answer (Update, Delete)
 * @param properties the resource's properties in the template, ServiceToken included
 */
public record CustomResourceRequest(Type type, URI responseUrl, String stackId, String requestId,
        String logicalResourceId, Optional<String> physicalResourceId, Map<String, Object> properties) {

    /** {@code RequestType}. */
    public enum Type { CREATE, UPDATE, DELETE }

    /** {@code Status} of an answer. */
    public enum Status { SUCCESS, FAILED }

    /** CloudFormation takes at most 4,096 bytes of answer: the reason is cut well below that. */
    static final int MAX_REASON = 1000;

    public CustomResourceRequest {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(responseUrl, "responseUrl");
        properties = Map.copyOf(properties);
    }

    /**
     * Reads a request.
     *
     * @throws IllegalArgumentException naming the field, the bad value and what is allowed; nothing can be answered
     *     then, since the answer's address is part of what is missing
     */
    public static CustomResourceRequest of(Map<String, Object> event) {
        if (event == null) {
            throw new IllegalArgumentException("custom resource request: the event is empty");
        }
        String requestType = text(event, "RequestType");
        Type type = switch (requestType) {
            case "Create" -> Type.CREATE;
            case "Update" -> Type.UPDATE;
            case "Delete" -> Type.DELETE;
            default -> throw new IllegalArgumentException("custom resource request: RequestType must be Create, Update"
                    + " or Delete, got \"" + requestType + "\"");
        };
        String url = text(event, "ResponseURL");
        URI responseUrl = URI.create(url);
        String scheme = responseUrl.getScheme() == null ? "" : responseUrl.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new IllegalArgumentException("custom resource request: ResponseURL must be an https URL, got scheme \""
                    + scheme + "\"");
        }
        Object properties = event.getOrDefault("ResourceProperties", Map.of());
        if (!(properties instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("custom resource request: ResourceProperties must be an object");
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((key, value) -> copy.put(String.valueOf(key), value));
        return new CustomResourceRequest(type, responseUrl, text(event, "StackId"), text(event, "RequestId"),
                text(event, "LogicalResourceId"), Optional.ofNullable(event.get("PhysicalResourceId")).map(String::valueOf),
                copy);
    }

    /**
     * A property of the resource, as text.
     *
     * @throws IllegalArgumentException when the template does not set it
     */
    public String property(String name) {
        Object value = properties.get(name);
        if (value == null || String.valueOf(value).isBlank()) {
            throw new IllegalArgumentException("custom resource " + logicalResourceId + ": property " + name
                    + " is missing; the template must set it");
        }
        return String.valueOf(value);
    }

    /** The answer that the resource exists now as {@code physicalId}, with attributes for Fn::GetAtt. */
    public Outcome success(String physicalId, Map<String, String> data) {
        return new Outcome(Status.SUCCESS, "", physicalId, Map.copyOf(data));
    }

    /** The answer that the request failed, and why (shown in the stack's events). */
    public Outcome failure(String reason) {
        String cut = reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON) + "...";
        return new Outcome(Status.FAILED, cut, physicalResourceId.orElse(logicalResourceId), Map.of());
    }

    /** What goes back to CloudFormation for this request. */
    public final class Outcome {
        private final Status status;
        private final String reason;
        private final String physicalId;
        private final Map<String, String> data;

        private Outcome(Status status, String reason, String physicalId, Map<String, String> data) {
            this.status = status;
            this.reason = reason;
            this.physicalId = physicalId;
            this.data = data;
        }

        public Status status() {
            return status;
        }

        public String reason() {
            return reason;
        }

        /** The response object's fields, in CloudFormation's names. */
        public Map<String, Object> asMap() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("Status", status.name());
            body.put("Reason", reason.isEmpty() ? "See the function's log" : reason);
            body.put("PhysicalResourceId", physicalId);
            body.put("StackId", stackId);
            body.put("RequestId", requestId);
            body.put("LogicalResourceId", logicalResourceId);
            body.put("NoEcho", false);
            body.put("Data", data);
            return body;
        }
    }

    private static String text(Map<String, Object> event, String field) {
        Object value = event.get(field);
        if (value == null || String.valueOf(value).isBlank()) {
            throw new IllegalArgumentException("custom resource request: " + field + " is missing");
        }
        return String.valueOf(value);
    }
}
