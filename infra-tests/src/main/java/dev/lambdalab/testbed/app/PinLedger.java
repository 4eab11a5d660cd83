package dev.lambdalab.testbed.app;

import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.rdsproxy.PinEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The sessions the RDS Proxy emulator pinned, counted per function, reason and statement digest. The proxy tells each
 * pin on its event loop with the client's port; twice a second the ledger finds which function's environment holds
 * the connection from that port (read from /proc) and books it there. A pin whose connection closed before that is
 * booked to nobody ({@link #UNATTRIBUTED}), and still counted.
 */
public final class PinLedger implements AutoCloseable {

    /** The bookings of pins whose function could not be found. */
    static final String UNATTRIBUTED = "(unattributed)";

    /** Pins of one function with one reason and digest. */
    public record Count(String reason, String digest, long pins) {
    }

    private final ConcurrentLinkedQueue<PinEvent> pending = new ConcurrentLinkedQueue<>();
    private final Map<String, Map<String, Long>> booked = new LinkedHashMap<>();
    private final Map<String, EmulatedFunction> functions;
    private final int proxyPort;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "pin-ledger");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param functions the run's functions by logical id, a view that may fill after the ledger is made (before any
     *     traffic)
     * @param proxyPort the port the proxy listens on
     */
    PinLedger(Map<String, EmulatedFunction> functions, int proxyPort) {
        this.functions = Objects.requireNonNull(functions, "functions");
        this.proxyPort = proxyPort;
        worker.scheduleWithFixedDelay(this::book, 500, 500, TimeUnit.MILLISECONDS);
    }

    /** Called on the proxy's event loop: only queues. */
    void pinned(PinEvent event) {
        pending.add(event);
    }

    /** Books every pin told so far, then answers: a function's pins by reason and digest, most first. */
    List<Count> pins(String function) {
        book();
        synchronized (booked) {
            List<Count> counts = new ArrayList<>();
            booked.getOrDefault(function, Map.of()).forEach((key, pins) -> {
                String[] parts = key.split("\0", 2);
                counts.add(new Count(parts[0], parts[1], pins));
            });
            counts.sort((a, b) -> Long.compare(b.pins(), a.pins()));
            return counts;
        }
    }

    /** Pins of a function, all reasons. */
    long total(String function) {
        return pins(function).stream().mapToLong(Count::pins).sum();
    }

    private void book() {
        if (pending.isEmpty()) {
            return;
        }
        synchronized (booked) {
            Map<Integer, String> owners = new HashMap<>();
            if (functions.size() > 1) {
                functions.forEach((name, function) -> function.connectionsTo(port -> port == proxyPort)
                        .values().forEach(ports -> ports.forEach(port -> owners.put(port, name))));
            }
            PinEvent event;
            while ((event = pending.poll()) != null) {
                String owner = functions.size() == 1 ? functions.keySet().iterator().next()
                        : owners.getOrDefault(event.clientPort(), UNATTRIBUTED);
                booked.computeIfAbsent(owner, name -> new LinkedHashMap<>())
                        .merge(event.reason().name() + "\0" + event.digest(), 1L, Long::sum);
            }
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
