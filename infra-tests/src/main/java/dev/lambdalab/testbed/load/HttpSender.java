package dev.lambdalab.testbed.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

/** Sends each request as {@code GET url?holdMs=N} to a real HTTP endpoint (API Gateway, testbed serve). */
public final class HttpSender implements LoadDriver.RequestSender {

    private final String url;
    private final HttpClient client;
    private final Duration timeout;

    /**
     * @param url the route's URL without query, such as {@code https://abc.execute-api.eu-west-1.amazonaws.com/fixed}
     * @param timeout how long one request may take before it counts as an error
     */
    public HttpSender(String url, Duration timeout) {
        this.url = Objects.requireNonNull(url, "url");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    @Override
    public RequestRecord send(int holdMillis, long runStartNanos) {
        long start = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "?holdMs=" + holdMillis)).timeout(timeout).GET()
                .build();
        int status;
        String body;
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            status = response.statusCode();
            body = response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = 599;
            body = "";
        } catch (java.io.IOException e) {
            status = 599; // no HTTP answer at all: counted as an error of cause HTTP_599
            body = "";
        }
        return RequestRecord.fromHttp(status, body, null, (start - runStartNanos) / 1_000_000,
                (System.nanoTime() - start) / 1000);
    }
}
