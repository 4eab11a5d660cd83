package dev.lambdalab.testbed.lambda.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * Counts a process's established TCP connections from /proc (Linux): the inodes of its socket file
 * descriptors, matched against the kernel's TCP tables. Works on a stopped process too, which is the
 * point: it shows what a frozen environment holds.
 *
 * <p>The environments share the test bed's network namespace, so one read of the tables serves them all: the
 * kernel writes every TCP socket of the namespace (TIME_WAIT ones included) each time the file is read, which made
 * reading it once per environment per sample the test bed's largest cost under process isolation (16 s of
 * system time in a run of fixed-proxy and fixed-proxy-pinned). Counts reuse a table up to 100 ms old; routing
 * a new connection reads a fresh one.
 */
public final class ProcessSockets {

    private static final String ESTABLISHED = "01";
    private static final long TABLE_MAX_AGE_NANOS = 100_000_000L;
    private static final Object LOCK = new Object();
    private static Table recent;

    private ProcessSockets() {
    }

    /** One row of the kernel's TCP tables. */
    private record Socket(int localPort, int remotePort, String state) {
    }

    /** The tables, by socket inode, and when they were read. */
    private record Table(Map<String, Socket> byInode, long readAtNanos) {
    }

    /** Established TCP connections of the process whose remote port is not {@code excludedRemotePort}. */
    static int established(long pid, int excludedRemotePort) {
        Set<String> inodes = socketInodes(pid);
        if (inodes.isEmpty()) {
            return 0;
        }
        Map<String, Socket> table = recentTable();
        int count = 0;
        for (String inode : inodes) {
            Socket socket = table.get(inode);
            if (socket != null && ESTABLISHED.equals(socket.state()) && socket.remotePort() != excludedRemotePort) {
                count++;
            }
        }
        return count;
    }

    /**
     * The local ports of the process's established TCP connections whose remote port passes the test: which of its
     * connections go to a database endpoint, and from where (the port the server sees as the client's).
     */
    public static List<Integer> localPorts(long pid, IntPredicate remotePort) {
        Set<String> inodes = socketInodes(pid);
        if (inodes.isEmpty()) {
            return List.of();
        }
        Map<String, Socket> table = recentTable();
        List<Integer> ports = new ArrayList<>();
        for (String inode : inodes) {
            Socket socket = table.get(inode);
            if (socket != null && ESTABLISHED.equals(socket.state()) && remotePort.test(socket.remotePort())) {
                ports.add(socket.localPort());
            }
        }
        return ports;
    }

    /**
     * Whether the process holds the client end of the loopback connection from {@code localPort} to
     * {@code remotePort}: how a server that many processes call on one port tells them apart.
     */
    public static boolean holdsConnection(long pid, int localPort, int remotePort) {
        Set<String> inodes = socketInodes(pid);
        if (inodes.isEmpty()) {
            return false;
        }
        Map<String, Socket> table = freshTable();
        for (String inode : inodes) {
            Socket socket = table.get(inode);
            if (socket != null && socket.localPort() == localPort && socket.remotePort() == remotePort) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, Socket> recentTable() {
        synchronized (LOCK) {
            if (recent != null && System.nanoTime() - recent.readAtNanos() < TABLE_MAX_AGE_NANOS) {
                return recent.byInode();
            }
        }
        return freshTable();
    }

    private static Map<String, Socket> freshTable() {
        long readAt = System.nanoTime();
        Map<String, Socket> byInode = new HashMap<>();
        for (String name : new String[] {"tcp", "tcp6"}) {
            read(Path.of("/proc/self/net", name), byInode);
        }
        synchronized (LOCK) {
            recent = new Table(byInode, readAt);
        }
        return byInode;
    }

    /** Reads one table: {@code sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...}. */
    private static void read(Path file, Map<String, Socket> byInode) {
        try (BufferedReader lines = Files.newBufferedReader(file)) {
            lines.readLine(); // the header
            String line;
            String[] fields = new String[10];
            while ((line = lines.readLine()) != null) {
                if (split(line, fields) == fields.length) {
                    byInode.put(fields[9], new Socket(port(fields[1]), port(fields[2]), fields[3]));
                }
            }
        } catch (IOException e) {
            // no such table (IPv6 off): nothing to add
        }
    }

    /** The first {@code fields.length} blank-separated fields of the line, without a regular expression. */
    private static int split(String line, String[] fields) {
        int count = 0;
        int i = 0;
        int length = line.length();
        while (count < fields.length) {
            while (i < length && line.charAt(i) == ' ') {
                i++;
            }
            if (i == length) {
                break;
            }
            int start = i;
            while (i < length && line.charAt(i) != ' ') {
                i++;
            }
            fields[count++] = line.substring(start, i);
        }
        return count;
    }

    private static int port(String address) {
        return Integer.parseInt(address.substring(address.indexOf(':') + 1), 16);
    }

    private static Set<String> socketInodes(long pid) {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // the descriptor closed while we looked
                }
            }
        } catch (IOException e) {
            return Set.of(); // the process is gone
        }
        return inodes;
    }
}
