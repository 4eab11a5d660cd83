package dev.lambdalab.testbed.app;

import dev.lambdalab.testbed.rdsproxy.SelfSignedTls;
import dev.lambdalab.testbed.rdsproxy.Wire;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The database instance's endpoint as a user's function finds it: {@code !GetAtt Db.Endpoint.Address} and
 * {@code .Port} point here, an address of its own on PostgreSQL's port, and every connection is relayed to the
 * embedded server. It answers a client's SSLRequest as RDS does, with TLS (a certificate made at start, which
 * {@code sslmode=require} accepts and {@code verify-full} does not), so that code written for RDS's TLS connects
 * unchanged although the embedded server has none; GSSENCRequest gets 'N', as from RDS.
 *
 * <p>Blocking sockets and two threads per connection: a function's connections to the instance are few (or the
 * lesson is that they are not), and their count is the point, not their throughput.
 */
final class DatabaseEndpoint implements AutoCloseable {

    private final String host;
    private final int port;
    private final String targetHost;
    private final int targetPort;
    private final SSLContext tls = SelfSignedTls.jsseServerContext();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private ServerSocket listener;
    private volatile boolean closed;

    DatabaseEndpoint(String host, int port, String targetHost, int targetPort) {
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.targetHost = Objects.requireNonNull(targetHost, "targetHost");
        this.targetPort = targetPort;
    }

    DatabaseEndpoint start() {
        try {
            listener = new ServerSocket();
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(InetAddress.getByName(host), port), 512);
        } catch (IOException e) {
            throw new UncheckedIOException("the database endpoint cannot listen on " + host + ":" + port + ": "
                    + e.getMessage(), e);
        }
        daemon("db-endpoint-accept", this::acceptLoop).start();
        return this;
    }

    String host() {
        return host;
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Connections accepted since the start: what "connections opened" counts for functions that go direct. */
    int acceptedConnections() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                accepted.incrementAndGet();
                sockets.add(client);
                daemon("db-endpoint-" + client.getPort(), () -> serve(client)).start();
            } catch (IOException e) {
                if (!closed) {
                    continue; // one failed accept: keep listening
                }
            }
        }
    }

    /** The client's first messages: SSLRequest and GSSENCRequest are answered here, the rest go to the server. */
    private void serve(Socket client) {
        Socket server = null;
        try {
            Socket current = client;
            DataInputStream in = new DataInputStream(current.getInputStream());
            byte[] first;
            while (true) {
                int length = in.readInt();
                if (length < 8 || length > 10_000) {
                    throw new IOException("a startup packet of " + length + " bytes");
                }
                byte[] body = new byte[length - 4];
                in.readFully(body);
                int code = ByteBuffer.wrap(body).getInt();
                if (code == Wire.SSL_REQUEST && !(current instanceof SSLSocket)) {
                    current.getOutputStream().write('S');
                    current.getOutputStream().flush();
                    SSLSocket secure = (SSLSocket) tls.getSocketFactory().createSocket(current, null, true);
                    secure.setUseClientMode(false);
                    secure.startHandshake();
                    sockets.add(secure);
                    current = secure;
                    in = new DataInputStream(current.getInputStream());
                } else if (code == Wire.GSSENC_REQUEST) {
                    current.getOutputStream().write('N');
                    current.getOutputStream().flush();
                } else {
                    first = ByteBuffer.allocate(length).putInt(length).put(body).array();
                    break;
                }
            }
            server = new Socket(targetHost, targetPort);
            server.setTcpNoDelay(true);
            sockets.add(server);
            server.getOutputStream().write(first);
            server.getOutputStream().flush();
            Socket from = current;
            Socket to = server;
            daemon("db-endpoint-up", () -> pipe(from, to)).start();
            pipe(to, from);
        } catch (IOException e) {
            // the client went away, spoke something else, or the server is down: the client sees its socket close
        } finally {
            closeQuietly(client);
            closeQuietly(server);
        }
    }

    private void pipe(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) > 0) {
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException e) {
            // one side closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void closeQuietly(Socket socket) {
        if (socket != null) {
            sockets.remove(socket);
            try {
                socket.close();
            } catch (IOException e) {
                // closing
            }
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (listener != null) {
                listener.close();
            }
        } catch (IOException e) {
            // closing
        }
        sockets.forEach(this::closeQuietly);
    }
}
