package dev.lambdalab.testbed.lambda;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Counts a process's established TCP connections from /proc (Linux): the inodes of its socket file
 * descriptors, matched against the kernel's TCP tables. Works on a stopped process too, which is the
 * point: it shows what a frozen environment holds.
 */
final class ProcessSockets {

    private static final String ESTABLISHED = "01";

    private ProcessSockets() {
    }

    /** Established TCP connections of the process whose remote port is not {@code excludedRemotePort}. */
    static int established(long pid, int excludedRemotePort) {
        int count = 0;
        for (String[] fields : connections(pid)) {
            if (ESTABLISHED.equals(fields[3]) && port(fields[2]) != excludedRemotePort) {
                count++;
            }
        }
        return count;
    }

    /**
     * Whether the process holds the client end of the loopback connection from {@code localPort} to
     * {@code remotePort}: how a server that many processes call on one port tells them apart.
     */
    static boolean holdsConnection(long pid, int localPort, int remotePort) {
        for (String[] fields : connections(pid)) {
            if (port(fields[1]) == localPort && port(fields[2]) == remotePort) {
                return true;
            }
        }
        return false;
    }

    /** The rows of the kernel's TCP tables (split into fields) whose socket the process holds. */
    private static List<String[]> connections(long pid) {
        Set<String> inodes = socketInodes(pid);
        if (inodes.isEmpty()) {
            return List.of();
        }
        List<String[]> rows = new ArrayList<>();
        for (String table : List.of("tcp", "tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "net", table));
            } catch (IOException e) {
                continue;
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length >= 10 && inodes.contains(fields[9])) {
                    rows.add(fields);
                }
            }
        }
        return rows;
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
