package dev.lambdalab.testbed.rdsproxy;

import dev.lambdalab.testbed.label.Labelled;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The emulator's sockets, the fastest that loads here: Linux's io_uring, else epoll (both through Netty's native
 * transports, x86-64 and ARM64 Linux), else the JDK's selector (NIO) everywhere else.
 *
 * <p>Why io_uring first: under select-only pgbench the proxy's thread spends about four fifths of its time in the
 * kernel, sending and receiving on loopback TCP. With epoll each read, write and wait is a system call of its own;
 * io_uring queues them in a ring shared with the kernel and submits one pass of the event loop's work with one
 * {@code io_uring_enter}. Measured on this project's 2-core machine, in paired pgbench runs against the same build
 * on epoll: 3-4 µs less system time per transaction (about 15 % of the proxy's CPU). Where io_uring is refused,
 * as under Docker's default seccomp profile or with {@code kernel.io_uring_disabled} set, Netty's probe says so
 * and epoll is used; nothing else in the emulator depends on the transport.
 */
enum Transport implements Labelled {

    IO_URING("io_uring", IoUring::isAvailable, IoUring::unavailabilityCause),
    EPOLL("epoll", Epoll::isAvailable, Epoll::unavailabilityCause),
    NIO("nio", () -> true, () -> null);

    /** Chooses the transport by label ({@code io_uring}, {@code epoll} or {@code nio}); unset, the fastest here. */
    static final String VARIABLE = "TESTBED_PROXY_TRANSPORT";

    private static volatile Transport chosen;

    private final String label;
    private final Supplier<Boolean> available;
    private final Supplier<Throwable> unavailabilityCause;

    Transport(String label, Supplier<Boolean> available, Supplier<Throwable> unavailabilityCause) {
        this.label = label;
        this.available = available;
        this.unavailabilityCause = unavailabilityCause;
    }

    @Override
    public String label() {
        return label;
    }

    boolean available() {
        return available.get();
    }

    /** Why Netty cannot use it here, if it cannot. */
    Optional<Throwable> unavailabilityCause() {
        return available() ? Optional.empty() : Optional.ofNullable(unavailabilityCause.get());
    }

    /**
     * The one {@value #VARIABLE} names, else the first available of io_uring, epoll and NIO.
     *
     * @throws IllegalArgumentException when the variable names no transport, or one that cannot load here (with
     *     Netty's reason)
     */
    static Transport choose(String configured) {
        if (configured == null || configured.isBlank()) {
            for (Transport transport : values()) {
                if (transport.available()) {
                    return transport;
                }
            }
            return NIO;
        }
        Transport wanted = Labelled.parse(Transport.class, VARIABLE, configured);
        if (!wanted.available()) {
            throw new IllegalArgumentException(VARIABLE + " is " + wanted.label + ", which cannot load here ("
                    + wanted.unavailabilityCause().map(Throwable::getMessage).orElse("no reason given")
                    + "); unset it to use the fastest that can");
        }
        return wanted;
    }

    /** The transport of this process's emulators, chosen once from the environment. */
    static Transport current() {
        Transport transport = chosen;
        if (transport == null) {
            transport = choose(System.getenv(VARIABLE));
            chosen = transport;
        }
        return transport;
    }

    IoHandlerFactory ioHandlerFactory() {
        return switch (this) {
            case IO_URING -> IoUringIoHandler.newFactory();
            case EPOLL -> EpollIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
    }

    Class<? extends ServerChannel> serverChannel() {
        return switch (this) {
            case IO_URING -> IoUringServerSocketChannel.class;
            case EPOLL -> EpollServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }

    Class<? extends SocketChannel> socketChannel() {
        return switch (this) {
            case IO_URING -> IoUringSocketChannel.class;
            case EPOLL -> EpollSocketChannel.class;
            case NIO -> NioSocketChannel.class;
        };
    }
}
