package dev.lambdalab.testbed.load;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.lambdalab.testbed.apigw.HttpApiEvents;
import dev.lambdalab.testbed.apigw.HttpApiGateway;
import dev.lambdalab.testbed.lambda.Invocation;
import dev.lambdalab.testbed.load.RequestRecord.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs a {@link Load}: closed-loop callers on their own threads, each answer turned into a
 * {@link RequestRecord}. Requests go to a function (an API Gateway HTTP API event per request, as the
 * gateway would send) or, through {@link HttpSender}, to a real URL.
 */
public final class LoadDriver {

    /** Sends one request holding its connection {@code holdMillis}; never throws for the request's own failure. */
    @FunctionalInterface
    public interface RequestSender {
        RequestRecord send(int holdMillis, long runStartNanos);
    }

    private final RequestSender sender;
    private final AtomicInteger completed = new AtomicInteger();

    /**
     * Requests as API Gateway events to a function.
     *
     * @param function how to invoke the function (an EmulatedFunction's invoke, say)
     * @param path the route's path, such as {@code /fixed}
     */
    public LoadDriver(Function<APIGatewayV2HTTPEvent, Invocation> function, String path) {
        this(function, path, answer -> { });
    }

    /**
     * Requests as API Gateway events to a function, every answer also handed to {@code answers} (the fault
     * runner keeps the bodies for its leak check).
     */
    public LoadDriver(Function<APIGatewayV2HTTPEvent, Invocation> function, String path,
            Consumer<HttpApiGateway.Answer> answers) {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(answers, "answers");
        this.sender = (holdMillis, runStart) -> {
            long start = System.nanoTime();
            Invocation invocation = function.apply(HttpApiEvents.get(path, holdMillis));
            long latencyMicros = (System.nanoTime() - start) / 1000;
            HttpApiGateway.Answer answer = HttpApiGateway.answer(invocation);
            answers.accept(answer);
            return RequestRecord.of(invocation, answer, (start - runStart) / 1_000_000, latencyMicros);
        };
    }

    /** Requests sent by the given sender. */
    public LoadDriver(RequestSender sender) {
        this.sender = Objects.requireNonNull(sender, "sender");
    }

    /** Requests answered so far, for progress lines. */
    public int completed() {
        return completed.get();
    }

    public LoadResult run(Load load) throws InterruptedException {
        return run(load, System.nanoTime());
    }

    /**
     * The same, with request times measured from {@code runStart} ({@code System.nanoTime()}), for a caller that
     * places events of its own on the same time line (a fault that starts 2 s into the load).
     */
    public LoadResult run(Load load, long runStart) throws InterruptedException {
        ConcurrentLinkedQueue<RequestRecord> records = new ConcurrentLinkedQueue<>();
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
                        RequestRecord record = sender.send(load.holdMillis(), runStart);
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
}
