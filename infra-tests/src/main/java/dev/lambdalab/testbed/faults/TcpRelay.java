package dev.lambdalab.testbed.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on a loopback port in front of a server, whose behaviour a fault scenario switches: it
 * forwards, refuses (nothing listens: the client's connect fails at once with "Connection refused"), or
 * accepts and never answers (a server that hangs: only the client's timeouts end the wait). It can also
 * cut every relayed connection, as a network blip would.
 *
 * <p>Functions point DB_HOST and DB_PORT at it instead of the server, so one scenario's fault never
 * touches the server other scenarios share.
 */
public final class TcpRelay implements AutoCloseable {

    /** What the relay does with connections. */
    public enum Mode {
        /** Relays bytes both ways. */
        FORWARD,
        /** Closes its listening socket: connects are refused. */
        REFUSE,
        /** Accepts and then neither forwards nor answers. */
        UNRESPONSIVE
    }

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final String targetHost;
    private final int targetPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile Mode mode = Mode.FORWARD;
    private volatile ServerSocket listener;
    private int port;
    private boolean closed;

    public TcpRelay(String targetHost, int targetPort) {
        this.targetHost = Objects.requireNonNull(targetHost, "targetHost");
        if (targetPort < 1 || targetPort > 65535) {
            throw new IllegalArgumentException("targetPort must be from 1 to 65535, got " + targetPort);
        }
        this.targetPort = targetPort;
    }

    /** The mode to start in (FORWARD unless set). */
    public TcpRelay withMode(Mode mode) {
        this.mode = Objects.requireNonNull(mode, "mode");
        return this;
    }

    /** Picks a free loopback port and, unless the mode is REFUSE, listens on it. */
    public synchronized TcpRelay start() {
        if (port != 0) {
            throw new IllegalStateException("the relay is already started");
        }
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for the relay: " + e.getMessage(), e);
        }
        if (mode != Mode.REFUSE) {
            listen();
        }
        return this;
    }

    public String host() {
        return InetAddress.getLoopbackAddress().getHostAddress();
    }

    public int port() {
        if (port == 0) {
            throw new IllegalStateException("the relay is not started");
        }
        return port;
    }

    public Mode mode() {
        return mode;
    }

    /** Connections accepted so far. */
    public int acceptedConnections() {
        return accepted.get();
    }

    /**
     * Switches the mode. To REFUSE: stops listening (connections already relayed stay up; see
     * {@link #cutConnections()}). From REFUSE: listens again on the same port.
     */
    public synchronized void setMode(Mode next) {
        Objects.requireNonNull(next, "mode");
        if (closed) {
            throw new IllegalStateException("the relay is closed");
        }
        Mode previous = mode;
        mode = next;
        if (next == Mode.REFUSE && previous != Mode.REFUSE) {
            closeListener();
        } else if (next != Mode.REFUSE && previous == Mode.REFUSE && port != 0) {
            listen();
        }
    }

    /** Closes every connection through the relay, both sides; returns how many client connections it cut. */
    public int cutConnections() {
        int cut = 0;
        for (Socket socket : sockets) {
            closeQuietly(socket);
            cut++;
        }
        sockets.clear();
        return cut / 2;
    }

    private void listen() {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true); // the port was ours a moment ago: rebind despite TIME_WAIT
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
            listener = socket;
        } catch (IOException e) {
            throw new UncheckedIOException("the relay cannot listen on port " + port + ": " + e.getMessage(), e);
        }
        ServerSocket current = listener;
        thread("relay-accept-" + port, () -> acceptLoop(current)).start();
    }

    private void acceptLoop(ServerSocket current) {
        while (!current.isClosed()) {
            Socket client;
            try {
                client = current.accept();
            } catch (IOException e) {
                return; // closed by setMode(REFUSE) or close()
            }
            accepted.incrementAndGet();
            sockets.add(client);
            if (mode == Mode.UNRESPONSIVE) {
                continue; // held open, never read: the client waits for an answer that does not come
            }
            try {
                Socket server = new Socket();
                server.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
                sockets.add(server);
                thread("relay-up-" + port, () -> pump(client, server)).start();
                thread("relay-down-" + port, () -> pump(server, client)).start();
            } catch (IOException e) {
                closeQuietly(client); // the server itself refuses: so does the relay
                sockets.remove(client);
            }
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (SocketException e) {
            // the other direction (or cutConnections) closed the pair
        } catch (IOException e) {
            // a broken pipe ends this direction like an EOF
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            sockets.remove(from);
            sockets.remove(to);
        }
    }

    private void closeListener() {
        ServerSocket current = listener;
        listener = null;
        if (current != null) {
            closeQuietly(current);
        }
    }

    private static Thread thread(String name, Runnable body) {
        Thread thread = new Thread(body, name + "-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing what may already be closed: nothing to report
        }
    }

    /** Stops listening and cuts every connection. */
    @Override
    public synchronized void close() {
        closed = true;
        closeListener();
        cutConnections();
    }

    @Override
    public String toString() {
        return "TcpRelay{" + (port == 0 ? "not started" : host() + ":" + port) + " -> " + targetHost + ":" + targetPort
                + ", " + mode + "}";
    }
}
