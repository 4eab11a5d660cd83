package dev.lambdalab.testbed.scenario;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdalab.testbed.lambda.Invocation;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The environment ids the function reported, against the environments the emulator made: under SnapStart,
 * copies of one snapshot that were not given ids of their own after the restore all report the id init
 * generated. Counts the requests answered under an id that more than one environment reported.
 */
final class SnapStartIds {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Emulator environment -> the id its answers carried. */
    private final Map<String, String> reported = new ConcurrentHashMap<>();
    /** Emulator environment -> requests it answered. */
    private final Map<String, Long> answered = new ConcurrentHashMap<>();

    /** Notes the invocation's ids and hands it on unchanged. */
    Invocation record(Invocation invocation) {
        if (invocation.environmentId() != null && invocation.response() instanceof APIGatewayV2HTTPResponse response) {
            try {
                JsonNode body = JSON.readTree(response.getBody() == null ? "{}" : response.getBody());
                String id = body.path("environmentId").asText("");
                if (!id.isEmpty()) {
                    reported.putIfAbsent(invocation.environmentId(), id);
                    answered.merge(invocation.environmentId(), 1L, Long::sum);
                }
            } catch (IOException e) {
                // not the handler's JSON: nothing to compare
            }
        }
        return invocation;
    }

    /** Requests answered by environments whose reported id another environment reported too. */
    long requestsOfSharedIds() {
        Map<String, Long> environmentsPerId = new HashMap<>();
        reported.values().forEach(id -> environmentsPerId.merge(id, 1L, Long::sum));
        Set<String> shared = Set.copyOf(environmentsPerId.entrySet().stream().filter(e -> e.getValue() > 1)
                .map(Map.Entry::getKey).toList());
        return reported.entrySet().stream().filter(e -> shared.contains(e.getValue()))
                .mapToLong(e -> answered.getOrDefault(e.getKey(), 0L)).sum();
    }
}
