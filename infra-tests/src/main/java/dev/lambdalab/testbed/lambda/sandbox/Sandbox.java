package dev.lambdalab.testbed.lambda.sandbox;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One execution environment, whichever way it is isolated: a class loader and threads in this JVM
 * (the {@code classloader} package) or a JVM process of its own under AWS's runtime interface client
 * (the {@code process} package): what both keep (id, state, last use, invocations in flight) lives here. The running
 * function ({@code FunctionRuntime} for classic Lambda, {@code ManagedInstancesRuntime} for Managed Instances, one package up)
 * applies Lambda's rules (routing, throttling, timeouts, reclaim or scaling) the same way to both.
 *
 * <p>An environment runs {@link #workers()} invocations at once: one on classic Lambda, the function's
 * PerExecutionEnvironmentMaxConcurrency on Managed Instances, on threads that share one handler.
 */
public abstract class Sandbox {

    /** Life of an environment. DEAD is final: timed out, reclaimed, failed init, or destroyed. */
    public enum State { NEW, IDLE, BUSY, DEAD }

    private final String id;
    private final String logStreamName;
    private volatile State state = State.NEW;
    private volatile String deathReason;
    private volatile long lastUsedNanos = System.nanoTime();
    private final int workers;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();

    public Sandbox(String id, String logStreamName, int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        this.id = id;
        this.logStreamName = logStreamName;
        this.workers = workers;
    }

    /** Invocations it runs at once: 1 on classic Lambda, PerExecutionEnvironmentMaxConcurrency on Managed Instances. */
    public final int workers() {
        return workers;
    }

    /** An invocation was routed here; it counts until {@link #invocationEnded()}. Returns the count in flight. */
    public final int invocationStarted() {
        int now = inFlight.incrementAndGet();
        peakInFlight.accumulateAndGet(now, Math::max);
        return now;
    }

    /** The handler of an invocation returned or threw (on Managed Instances possibly after its caller timed out). */
    public final void invocationEnded() {
        inFlight.decrementAndGet();
    }

    /** Invocations whose handler is running now. */
    public final int inFlight() {
        return inFlight.get();
    }

    /** The most invocations it ran at once. */
    public final int peakInFlight() {
        return peakInFlight.get();
    }

    /** Whether it can still serve: not dead (and for a process environment, its process is running). */
    public boolean alive() {
        return state != State.DEAD;
    }

    /** CPU time its threads (or its process) used so far, in nanoseconds, or -1 when it cannot be read. */
    public long cpuNanos() {
        return -1;
    }

    /** The environment id: the log stream's, and ExecutionEnvironment.id() inside it. */
    public final String id() {
        return id;
    }

    /** AWS_LAMBDA_LOG_STREAM_NAME of this environment. */
    public final String logStreamName() {
        return logStreamName;
    }

    public final String shortId() {
        return id.substring(0, 12);
    }

    public final State state() {
        return state;
    }

    /** Moves to NEW, IDLE or BUSY; DEAD stays DEAD. */
    public final void setState(State next) {
        if (state != State.DEAD) {
            state = next;
        }
    }

    /** For DEAD: why. */
    public final String deathReason() {
        return deathReason;
    }

    /** Marks it DEAD with the reason; false when it already was. Callers serialise calls per environment. */
    protected final boolean markDead(String reason) {
        if (state == State.DEAD) {
            return false;
        }
        deathReason = reason;
        state = State.DEAD;
        return true;
    }

    /** When it last finished an invocation ({@link System#nanoTime()}), for idle reclaim. */
    public final long lastUsedNanos() {
        return lastUsedNanos;
    }

    public final void setLastUsedNanos(long nanos) {
        lastUsedNanos = nanos;
    }

    /** Invocations it ran. */
    public abstract int invocations();

    /** Runs init: gives the environment its variables, initialises the handler class, constructs the handler. */
    public abstract Handoff<Void> init(String handlerClass, Map<String, String> environment);

    /** One invocation. A function error fails the handoff; the environment stays usable. */
    public abstract Handoff<Object> invoke(Object event, EmulatedContext context);

    /**
     * The invocation is over and the environment waits for the next one. A process environment is
     * frozen here, as Lambda freezes an environment once its runtime asks for the next event.
     */
    public void parked() {
    }

    /** Whether it is frozen now (a stopped process); never for the class-loader isolation. */
    public boolean frozen() {
        return false;
    }

    /**
     * The environment is gone for the caller: timed out, reclaimed or failed. Nothing is closed and no
     * shutdown hook runs.
     */
    public abstract void discard(String reason);

    /** Ends it for good, as when its process is killed: its sockets close. */
    public abstract void destroy(String reason);

    /** The operating system's id of its process, or -1 for an environment inside this JVM. */
    public long processId() {
        return -1;
    }

    /** TCP connections it holds open (to the database or the proxy). */
    public abstract int openSockets();

    @Override
    public String toString() {
        return getClass().getSimpleName() + "{" + shortId() + " " + state + (deathReason == null ? "" : " (" + deathReason + ")")
                + "}";
    }
}
