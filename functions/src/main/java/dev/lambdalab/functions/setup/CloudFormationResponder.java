package dev.lambdalab.functions.setup;

import dev.lambdalab.db.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Sends a custom resource's answer to its pre-signed {@code ResponseURL} with an HTTP PUT, as AWS's own
 * {@code cfn-response} module does: a JSON body and no Content-Type, which the URL's signature does not cover. In a
 * VPC without a NAT gateway the URL is reached through an S3 gateway endpoint (template.yaml).
 */
public class CloudFormationResponder {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    /**
     * @throws UncheckedIOException when S3 cannot be reached or refuses the answer; the function then fails and
     *     CloudFormation waits for its timeout, so the log says why
     */
    public void send(CustomResourceRequest request, CustomResourceRequest.Outcome outcome) {
        JsonObject body = new JsonObject();
        outcome.asMap().forEach(body::put);
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        HttpRequest put = HttpRequest.newBuilder(request.responseUrl()).timeout(TIMEOUT)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
        try {
            HttpResponse<String> response = client.send(put, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new UncheckedIOException(new IOException("the answer to " + request.logicalResourceId()
                        + " was refused with HTTP " + response.statusCode() + ": " + first(response.body())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not answer " + request.logicalResourceId() + " at its ResponseURL's host "
                    + request.responseUrl().getHost() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while answering " + request.logicalResourceId(), e);
        }
    }

    private static String first(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
