package dev.lambdalab.testbed.lambda.classloader;

import dev.lambdalab.testbed.lambda.sandbox.Sandbox;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import javax.net.SocketFactory;

/**
 * A pgjdbc {@code socketFactory} that ties every connection to the emulated execution environment whose
 * thread opened it (HikariCP's threads belong to the environment that started the pool). A function
 * gets it through DB_JDBC_PARAMS, {@code socketFactory=} this class's name; the test bed sets that.
 *
 * <p>It gives the emulator what a process boundary gives Lambda: an environment that timed out or was
 * reclaimed can no longer open connections (its process is gone; here its leftover pool threads would
 * otherwise go on reconnecting), and when the emulator closes, every connection of every environment is
 * closed, as the kernel closes a killed process's sockets. It also counts connections per environment.
 *
 * <p>pgjdbc instantiates it per connection with its no-argument constructor.
 */
public final class SandboxSocketFactory extends SocketFactory {

    /** Value for pgjdbc's socketFactory property. */
    public static final String PGJDBC_PROPERTY = "socketFactory=" + SandboxSocketFactory.class.getName();

    @Override
    public Socket createSocket() throws IOException {
        ClassLoaderSandbox sandbox = currentSandbox();
        if (sandbox == null) {
            return new Socket(); // not inside an emulated environment: an ordinary socket
        }
        if (sandbox.state() == Sandbox.State.DEAD) {
            throw new ConnectException("execution environment " + sandbox.shortId() + " is gone ("
                    + sandbox.deathReason() + "): it cannot open connections");
        }
        TrackedSocket socket = new TrackedSocket(sandbox);
        sandbox.register(socket);
        return socket;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        throw unsupported();
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        throw unsupported();
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        throw unsupported();
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        throw unsupported();
    }

    private static SocketException unsupported() {
        return new SocketException("pgjdbc calls createSocket() and connects the socket itself");
    }

    private static ClassLoaderSandbox currentSandbox() {
        for (ThreadGroup group = Thread.currentThread().getThreadGroup(); group != null; group = group.getParent()) {
            if (group instanceof ClassLoaderSandbox.SandboxThreadGroup sandboxGroup) {
                return sandboxGroup.sandbox;
            }
        }
        return null;
    }

    /** A socket that leaves its environment's books when closed. */
    private static final class TrackedSocket extends Socket {
        private final ClassLoaderSandbox sandbox;

        TrackedSocket(ClassLoaderSandbox sandbox) {
            this.sandbox = sandbox;
        }

        @Override
        public synchronized void close() throws IOException {
            sandbox.unregister(this);
            super.close();
        }
    }
}
