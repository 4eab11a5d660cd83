package dev.lambdalab.testbed.app;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the test bed's stand-ins listen so that a user's code connects to them unchanged. RDS gives the proxy and
 * the instance each a host of its own on PostgreSQL's port, and code and templates hard-code that port
 * ({@code DB_PORT: "5432"}: RDS Proxy has no Port attribute). So each stand-in gets an address of its own in
 * 127.0.0.0/8, which Linux routes to the loopback interface whole, and listens on 5432 there: the proxy on
 * 127.0.0.2, the instance on 127.0.0.3. Where that address cannot be bound (macOS configures 127.0.0.1 only) or the
 * port is taken on it, the stand-in takes a free port on 127.0.0.1 and the run says so: code that hard-codes 5432
 * then needs its port in {@code -n env.json}.
 */
public final class Endpoints {

    /** PostgreSQL's port, which RDS endpoints use by default. */
    static final int POSTGRES_PORT = 5432;
    /** The proxy's address. */
    static final String PROXY_HOST = "127.0.0.2";
    /** The database instance's (or cluster's) address. */
    static final String DATABASE_HOST = "127.0.0.3";

    /** A host and port to listen on, and whether it is the one the stand-in wanted. */
    public record Address(String host, int port, boolean asWanted) {

        String text() {
            return host + ":" + port;
        }
    }

    private final List<String> notes = new ArrayList<>();

    /** The address for a stand-in that wants {@code host}:{@code port}, or a free port on 127.0.0.1. */
    Address choose(String what, String host, int port) {
        if (bindable(host, port)) {
            return new Address(host, port, true);
        }
        String loopback = InetAddress.getLoopbackAddress().getHostAddress();
        int free = freePort(loopback);
        notes.add(what + " listens on " + loopback + ":" + free + ", not " + host + ":" + port + " (" + (bindable(host, 0)
                ? "the port is taken there" : host + " is not a loopback address here") + "): code that hard-codes port "
                + port + " does not reach it; give the port in -n env.json");
        return new Address(loopback, free, false);
    }

    /** What did not go as wanted, one line each. */
    List<String> notes() {
        return List.copyOf(notes);
    }

    private static boolean bindable(String host, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort(String host) {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port on " + host + ": " + e.getMessage(), e);
        }
    }
}
