package dev.lambdalab.testbed.apigw;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.lambdalab.testbed.lambda.process.EventJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpApiEventsTest {

    @Test
    void theJsonReadsBackThroughLambdasOwnDeserialiser(@TempDir Path directory) throws Exception {
        APIGatewayV2HTTPEvent event = HttpApiEvents.request("GET", "/fixed", Map.of("holdMs", "50"),
                Map.of("x-test", "1"), null);
        Path file = directory.resolve("event.json");
        Files.writeString(file, EventJson.httpApi(event));

        APIGatewayV2HTTPEvent read = EventLoader.loadApiGatewayHttpEvent(file.toString());

        assertThat(read.getRawPath()).isEqualTo("/fixed");
        assertThat(read.getRouteKey()).isEqualTo("GET /fixed");
        assertThat(read.getRawQueryString()).isEqualTo("holdMs=50");
        assertThat(read.getQueryStringParameters()).containsEntry("holdMs", "50");
        assertThat(read.getHeaders()).containsEntry("x-test", "1");
        assertThat(read.getRequestContext().getHttp().getMethod()).isEqualTo("GET");
        assertThat(read.getRequestContext().getRequestId()).isEqualTo(event.getRequestContext().getRequestId());
        assertThat(read.getIsBase64Encoded()).isFalse();
    }

    @Test
    void repeatedQueryParametersAreJoinedWithCommasAsTheGatewayDoes() {
        APIGatewayV2HTTPEvent event = HttpApiEvents.get("/broken", 7);

        assertThat(event.getQueryStringParameters()).containsExactly(Map.entry("holdMs", "7"));
        assertThat(event.getVersion()).isEqualTo("2.0");
    }
}
