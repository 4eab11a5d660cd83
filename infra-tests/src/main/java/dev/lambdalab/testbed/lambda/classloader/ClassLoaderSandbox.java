package dev.lambdalab.testbed.lambda.classloader;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.lambdalab.testbed.lambda.sandbox.EmulatedContext;
import dev.lambdalab.testbed.lambda.sandbox.FunctionCode;
import dev.lambdalab.testbed.lambda.sandbox.Handoff;
import dev.lambdalab.testbed.lambda.sandbox.Sandbox;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.InvocationTargetException;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One execution environment in this JVM: its own class loader (so its own static state), its own thread
 * group (so the threads its code starts, such as HikariCP's housekeeper, are known to belong to it) and
 * one runtime thread that runs its init and then its invocations, one at a time, as Lambda's runtime does.
 *
 * <p>On Managed Instances it has {@link #workers()} runtime threads instead, started once init is done, that all
 * call the one handler instance init constructed, as AWS's runtime client does with AWS_LAMBDA_MAX_CONCURRENCY
 * ("Java runtime for Lambda Managed Instances": "Each thread shares the same handler object and any static fields").
 */
public final class ClassLoaderSandbox extends Sandbox {

    /** Thread group whose threads all belong to one sandbox; {@link SandboxSocketFactory} asks it. */
    static final class SandboxThreadGroup extends ThreadGroup {
        final ClassLoaderSandbox sandbox;

        SandboxThreadGroup(ThreadGroup parent, ClassLoaderSandbox sandbox) {
            super(parent, "sandbox-" + sandbox.shortId());
            this.sandbox = sandbox;
        }
    }

    final SandboxClassLoader loader;
    final SandboxThreadGroup group;
    private final Thread runtime;
    private final List<Thread> moreWorkers = new CopyOnWriteArrayList<>();
    private final LinkedTransferQueue<Runnable> tasks = new LinkedTransferQueue<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger invocations = new AtomicInteger();
    private volatile RequestHandler<Object, Object> handler;

    public ClassLoaderSandbox(String id, String logStreamName, FunctionCode code, ThreadGroup parentGroup, int workers) {
        super(id, logStreamName, workers);
        this.loader = new SandboxClassLoader(id.substring(0, 12), code, ClassLoaderSandbox.class.getClassLoader());
        this.group = new SandboxThreadGroup(parentGroup, this);
        this.runtime = worker("runtime");
        this.runtime.start();
    }

    private Thread worker(String name) {
        Thread thread = new Thread(group, this::runLoop, "sandbox-" + shortId() + "-" + name);
        thread.setDaemon(true);
        thread.setContextClassLoader(loader);
        return thread;
    }

    /** After init: the other runtime threads of a Managed Instances environment, taking the same invocations. */
    private void startMoreWorkers() {
        for (int i = 2; i <= workers() && state() != State.DEAD; i++) {
            Thread thread = worker("runtime-" + i);
            moreWorkers.add(thread);
            thread.start();
        }
    }

    @Override
    public int invocations() {
        return invocations.get();
    }

    /**
     * Init, on the runtime thread: give the environment its variables, initialise the handler class and
     * construct the handler, as Lambda does before the first invocation.
     */
    @Override
    public Handoff<Void> init(String handlerClass, Map<String, String> environment) {
        Handoff<Void> done = new Handoff<>();
        submit(() -> {
            try {
                giveEnvironment(environment);
                Class<?> type = Class.forName(handlerClass, true, loader);
                if (!RequestHandler.class.isAssignableFrom(type)) {
                    throw new IllegalArgumentException("Class " + handlerClass + " does not implement "
                            + RequestHandler.class.getName());
                }
                @SuppressWarnings("unchecked") // the handler's own types are checked by the handler at run time
                RequestHandler<Object, Object> instance =
                        (RequestHandler<Object, Object>) type.getDeclaredConstructor().newInstance();
                handler = instance;
                startMoreWorkers();
                done.complete(null);
            } catch (Throwable e) {
                done.fail(rootOfInit(e));
            }
        });
        return done;
    }

    /** The exception init really failed with, below reflection's and class initialisation's wrappers. */
    private static Throwable rootOfInit(Throwable error) {
        Throwable current = error;
        while ((current instanceof InvocationTargetException || current instanceof ExceptionInInitializerError)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    /** One invocation, on the runtime thread. */
    @Override
    public Handoff<Object> invoke(Object event, EmulatedContext context) {
        Handoff<Object> done = new Handoff<>();
        submit(() -> {
            invocations.incrementAndGet();
            try {
                done.complete(handler.handleRequest(event, context));
            } catch (Throwable e) {
                done.fail(e);
            }
        });
        return done;
    }

    private void submit(Runnable task) {
        tasks.add(task); // LinkedTransferQueue.add never blocks and unparks a taker
    }

    /**
     * The environment is gone for the caller: timed out, reclaimed or failed. As in Lambda nothing is
     * closed and no shutdown hook runs, so the connections it holds stay open until the server or the
     * proxy drops them; it may just not open new ones ({@link SandboxSocketFactory} refuses).
     */
    @Override
    public void discard(String reason) {
        if (!markDead(reason)) {
            return;
        }
        runtime.interrupt(); // wakes an idle runtime thread so it ends; a running handler is left to finish
        moreWorkers.forEach(Thread::interrupt);
    }

    /**
     * Ends the environment for good, as when its process is killed: like {@link #discard(String)}, and
     * its sockets are closed, so the server sees its connections go. Used when the emulator closes.
     */
    @Override
    public void destroy(String reason) {
        discard(reason);
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing a socket of a dead environment: nothing left to do with the error
            }
        }
        sockets.clear();
    }

    void register(Socket socket) {
        sockets.add(socket);
    }

    void unregister(Socket socket) {
        sockets.remove(socket);
    }

    /** CPU time of the threads of its group: its runtime threads and whatever they started (HikariCP's included). */
    @Override
    public long cpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (!threads.isThreadCpuTimeSupported() || !threads.isThreadCpuTimeEnabled()) {
            return -1;
        }
        Thread[] members = new Thread[group.activeCount() + 16];
        int count = group.enumerate(members, true);
        long total = 0;
        for (int i = 0; i < count; i++) {
            long cpu = threads.getThreadCpuTime(members[i].getId());
            total += Math.max(0, cpu);
        }
        return total;
    }

    @Override
    public int openSockets() {
        return (int) sockets.stream().filter(s -> !s.isClosed()).count();
    }

    private void giveEnvironment(Map<String, String> environment) throws ReflectiveOperationException {
        Class<?> variables;
        try {
            variables = Class.forName("dev.lambdalab.db.EnvironmentVariables", true, loader);
        } catch (ClassNotFoundException e) {
            return; // a function without shared-db reads nothing through it
        }
        variables.getMethod("overrideForThisClassLoader", Map.class).invoke(null, environment);
    }

    private void runLoop() {
        while (state() != State.DEAD) {
            // Spin briefly for the next task before parking: back-to-back invocations then skip a thread
            // wake-up. An idle environment parks after a few microseconds and costs nothing.
            Runnable task = null;
            long start = System.nanoTime();
            while ((task = tasks.poll()) == null && System.nanoTime() - start < Handoff.SPIN_NANOS) {
                Thread.onSpinWait();
            }
            if (task == null) {
                try {
                    task = tasks.take();
                } catch (InterruptedException e) {
                    return; // discarded while idle
                }
            }
            task.run();
        }
    }
}
