package dev.lambdalab.testbed.rdsproxy;

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

/**
 * The emulator's sockets: Linux's epoll through Netty's native transport where it loads (x86-64 and ARM64 Linux),
 * else the JDK's selector (NIO) everywhere else. Under pgbench -S the proxy's thread spends most of its time in
 * system calls, and epoll (edge-triggered, no selected-key sets) needs fewer of them per message.
 */
final class Transport {

    /** Whether the native transport is in use; set TESTBED_PROXY_NIO=1 to compare with the JDK's. */
    static final boolean EPOLL = Epoll.isAvailable() && !"1".equals(System.getenv("TESTBED_PROXY_NIO"));

    private Transport() {
    }

    static IoHandlerFactory ioHandlerFactory() {
        return EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    static Class<? extends ServerChannel> serverChannel() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    static Class<? extends SocketChannel> socketChannel() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** {@code epoll} or {@code nio}, for the log. */
    static String name() {
        return EPOLL ? "epoll" : "nio";
    }
}
