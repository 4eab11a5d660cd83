package dev.lambdalab.testbed.serve;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** A real HTTP client driving a URL from many threads, as a load tool would. */
final class HttpLoad {

    /** One answer. */
    record Answer(int status, String body) {
    }

    private HttpLoad() {
    }

    static List<Answer> run(String url, int clients, Duration duration) throws InterruptedException {
        return run(url, clients, duration, Duration.ZERO);
    }

    /**
     * The same, each caller pausing {@code afterThrottle} after a 429, as a client that backs off does (a caller that
     * retries at once spends the machine's CPU on 429s).
     */
    static List<Answer> run(String url, int clients, Duration duration, Duration afterThrottle)
            throws InterruptedException {
        return run(url, clients, duration, afterThrottle, Duration.ofSeconds(30));
    }

    /** The same, each request given up after {@code requestTimeout} (answered -1), as a caller with a deadline. */
    static List<Answer> run(String url, int clients, Duration duration, Duration afterThrottle,
            Duration requestTimeout) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(requestTimeout).GET().build();
        ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        ExecutorService callers = Executors.newFixedThreadPool(clients);
        long deadline = System.nanoTime() + duration.toNanos();
        for (int i = 0; i < clients; i++) {
            callers.submit(() -> {
                while (System.nanoTime() < deadline) {
                    try {
                        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                        answers.add(new Answer(response.statusCode(), response.body()));
                        if (response.statusCode() == 429 && !afterThrottle.isZero()) {
                            Thread.sleep(afterThrottle.toMillis());
                        }
                    } catch (Exception e) {
                        answers.add(new Answer(-1, e.toString())); // the server failed to answer: counted, asserted
                    }
                }
                return null;
            });
        }
        callers.shutdown();
        if (!callers.awaitTermination(duration.toSeconds() + 60, TimeUnit.SECONDS)) {
            callers.shutdownNow();
        }
        return List.copyOf(answers);
    }

    static Answer get(String url) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }

    static Answer send(String url, String method, String body) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }
}
