package dev.lambdalab.testbed.rdsproxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * IdleClientTimeout: "a client connection is considered idle when the application doesn't submit any new request
 * within the specified time" (RDS Proxy's ConnectionPoolConfigurationInfo), then the proxy closes it. Only what the
 * client sends counts, so the timer watches reads: one timestamp per read and one scheduled check per timeout
 * period. (Netty's IdleStateHandler, used before, also wraps every write in a new promise with a listener, which
 * cost more than the proxy's own work per message under pgbench -S.)
 */
final class IdleClientTimer extends ChannelInboundHandlerAdapter {

    private final long timeoutNanos;
    private final Runnable onIdle;
    private long lastReadNanos;
    private ScheduledFuture<?> check;

    /** @param onIdle counts the closing; the timer closes the channel after it */
    IdleClientTimer(Duration timeout, Runnable onIdle) {
        this.timeoutNanos = timeout.toNanos();
        this.onIdle = onIdle;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        lastReadNanos = System.nanoTime();
        schedule(context, timeoutNanos);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext context) {
        if (check != null) {
            check.cancel(false);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) {
        lastReadNanos = System.nanoTime();
        context.fireChannelRead(message);
    }

    private void schedule(ChannelHandlerContext context, long delayNanos) {
        check = context.executor().schedule(() -> {
            long idle = System.nanoTime() - lastReadNanos;
            if (!context.channel().isActive()) {
                return;
            }
            if (idle >= timeoutNanos) {
                onIdle.run();
                context.close();
            } else {
                schedule(context, timeoutNanos - idle);
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
    }
}
