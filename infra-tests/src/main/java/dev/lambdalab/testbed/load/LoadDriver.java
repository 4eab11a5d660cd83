package dev.lambdalab.testbed.load;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdalab.testbed.lambda.Invocation;
import dev.lambdalab.testbed.load.RequestRecord.Kind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs a {@link Load} against a function: closed-loop callers on their own threads, each request an
 * API Gateway HTTP API event, each answer turned into a {@link RequestRecord}.
 */
public final class LoadDriver {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Function<APIGatewayV2HTTPEvent, Invocation> function;
    private final String path;
    private final AtomicInteger completed = new AtomicInteger();

    /**
     * @param function how to invoke the function (an EmulatedFunction's invoke, say)
     * @param path the route's path, such as {@code /fixed}
     */
    public LoadDriver(Function<APIGatewayV2HTTPEvent, Invocation> function, String path) {
        this.function = Objects.requireNonNull(function, "function");
        this.path = Objects.requireNonNull(path, "path");
    }

    /** Requests answered so far, for progress lines. */
    public int completed() {
        return completed.get();
    }

    public LoadResult run(Load load) throws InterruptedException {
        ConcurrentLinkedQueue<RequestRecord> records = new ConcurrentLinkedQueue<>();
        long runStart = System.nanoTime();
        for (Load.Phase phase : load.phases()) {
            if (phase.concurrency() == 0) {
                Thread.sleep(phase.duration().toMillis());
                continue;
            }
            runPhase(phase, load, runStart, records);
        }
        long wallNanos = System.nanoTime() - runStart;
        List<RequestRecord> sorted = new ArrayList<>(records);
        sorted.sort((a, b) -> Long.compare(a.startMillis(), b.startMillis()));
        return new LoadResult(sorted, wallNanos / 1_000_000);
    }

    private void runPhase(Load.Phase phase, Load load, long runStart, ConcurrentLinkedQueue<RequestRecord> records)
            throws InterruptedException {
        long backoffMillis = load.throttleBackoff().toMillis();
        AtomicInteger remaining = new AtomicInteger(phase.requests());
        long deadline = System.nanoTime() + phase.duration().toNanos();
        boolean counted = phase.requests() > 0;
        CountDownLatch done = new CountDownLatch(phase.concurrency());
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < phase.concurrency(); i++) {
            Thread caller = new Thread(() -> {
                try {
                    while (counted ? remaining.getAndDecrement() > 0 : System.nanoTime() < deadline) {
                        RequestRecord record = send(load.holdMillis(), runStart);
                        records.add(record);
                        completed.incrementAndGet();
                        if (record.kind() == Kind.THROTTLED && backoffMillis > 0) {
                            Thread.sleep(backoffMillis);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // the run was cancelled
                } finally {
                    done.countDown();
                }
            }, "load-caller-" + i);
            caller.setDaemon(true);
            callers.add(caller);
            caller.start();
        }
        try {
            done.await();
        } catch (InterruptedException e) {
            callers.forEach(Thread::interrupt);
            throw e;
        }
    }

    private RequestRecord send(int holdMillis, long runStart) {
        long start = System.nanoTime();
        Invocation invocation = function.apply(HttpApiEvents.get(path, holdMillis));
        long latencyMicros = (System.nanoTime() - start) / 1000;
        long startMillis = (start - runStart) / 1_000_000;
        return switch (invocation.outcome()) {
            case THROTTLED -> new RequestRecord(startMillis, latencyMicros, Kind.THROTTLED, null, null, 429, null, 0);
            case TIMED_OUT -> new RequestRecord(startMillis, latencyMicros, Kind.ERROR, "TIMEOUT", "TIMEOUT", 504,
                    invocation.environmentId(), 0);
            case INIT_ERROR -> new RequestRecord(startMillis, latencyMicros, Kind.ERROR, "INIT_ERROR",
                    "INIT_ERROR " + invocation.errorType(), 502, invocation.environmentId(), 0);
            case FUNCTION_ERROR -> new RequestRecord(startMillis, latencyMicros, Kind.ERROR, "FUNCTION_ERROR",
                    "FUNCTION_ERROR " + invocation.errorType(), 502, invocation.environmentId(), 0);
            case SUCCESS -> fromResponse(invocation, startMillis, latencyMicros);
        };
    }

    /** Reads the handler's answer: status, and for errors the classified cause in its JSON body. */
    static RequestRecord fromResponse(Invocation invocation, long startMillis, long latencyMicros) {
        if (!(invocation.response() instanceof APIGatewayV2HTTPResponse response)) {
            return new RequestRecord(startMillis, latencyMicros, Kind.ERROR, "FUNCTION_ERROR",
                    "FUNCTION_ERROR not an HTTP API response", 502, invocation.environmentId(), 0);
        }
        int status = response.getStatusCode();
        JsonNode body;
        try {
            body = JSON.readTree(response.getBody() == null ? "{}" : response.getBody());
        } catch (IOException e) {
            body = JSON.createObjectNode();
        }
        int pid = body.path("backendPid").asInt(0);
        if (status >= 200 && status < 300) {
            return new RequestRecord(startMillis, latencyMicros, Kind.OK, null, null, status, invocation.environmentId(), pid);
        }
        JsonNode error = body.path("error");
        String cause = error.path("cause").asText("HTTP_" + status);
        String underlying = error.path("underlyingCause").asText(null);
        String detail = underlying == null ? cause : cause + " (" + underlying + ")";
        Kind kind = status < 500 ? Kind.BAD_REQUEST : Kind.ERROR;
        return new RequestRecord(startMillis, latencyMicros, kind, cause, detail, status, invocation.environmentId(), pid);
    }
}
