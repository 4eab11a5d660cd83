package dev.lambdalab.testbed.lambda;

import java.util.Map;

/**
 * One execution environment, whichever way it is isolated: a class loader and threads in this JVM
 * ({@link ClassLoaderSandbox}) or a JVM process of its own under AWS's runtime interface client
 * ({@link ProcessSandbox}). {@link EmulatedFunction} applies Lambda's rules (routing, throttling, timeouts,
 * reclaim) the same way to both.
 */
interface Sandbox {

    /** Life of an environment. DEAD is final: timed out, reclaimed, failed init, or destroyed. */
    enum State { NEW, IDLE, BUSY, DEAD }

    /** The environment id: the log stream's, and ExecutionEnvironment.id() inside it. */
    String id();

    /** AWS_LAMBDA_LOG_STREAM_NAME of this environment. */
    String logStreamName();

    default String shortId() {
        return id().substring(0, 12);
    }

    State state();

    /** Moves to NEW, IDLE or BUSY; DEAD stays DEAD. */
    void setState(State next);

    /** For DEAD: why. */
    String deathReason();

    /** Invocations it ran. */
    int invocations();

    /** When it last finished an invocation ({@link System#nanoTime()}), for idle reclaim. */
    long lastUsedNanos();

    void setLastUsedNanos(long nanos);

    /** Runs init: gives the environment its variables, initialises the handler class, constructs the handler. */
    Handoff<Void> init(String handlerClass, Map<String, String> environment);

    /** One invocation. A function error fails the handoff; the environment stays usable. */
    Handoff<Object> invoke(Object event, EmulatedContext context);

    /**
     * The invocation is over and the environment waits for the next one. A process environment is
     * frozen here, as Lambda freezes an environment once its runtime asks for the next event.
     */
    default void parked() {
    }

    /** Whether it is frozen now (a stopped process); never for the class-loader isolation. */
    default boolean frozen() {
        return false;
    }

    /**
     * The environment is gone for the caller: timed out, reclaimed or failed. Nothing is closed and no
     * shutdown hook runs.
     */
    void discard(String reason);

    /** Ends it for good, as when its process is killed: its sockets close. */
    void destroy(String reason);

    /** The operating system's id of its process, or -1 for an environment inside this JVM. */
    default long processId() {
        return -1;
    }

    /** TCP connections it holds open (to the database or the proxy). */
    int openSockets();
}
