package dev.lambdalab.testbed.lambda;

import dev.lambdalab.testbed.label.Labelled;

/** How the emulator isolates execution environments from each other. */
public enum Isolation implements Labelled {

    /**
     * A class loader and a thread group per environment, in this JVM: the function's own classes (so its
     * static state) per environment, libraries shared. Cheap: 1,000 environments per JVM. Not frozen
     * between invocations.
     */
    CLASSLOADER,

    /**
     * A JVM process per environment, started like Lambda's managed Java runtime, under AWS's runtime
     * interface client talking to the emulator's Runtime API; stopped (SIGSTOP) while idle, continued
     * (SIGCONT) for its next invocation, killed (SIGKILL) on timeout or reclaim. Linux only.
     */
    PROCESS;

    /** The name flags and reports use: {@code classloader}, {@code process}. */
    @Override
    public String label() {
        return Labelled.of(this);
    }

    /**
     * The isolation with this label.
     *
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    public static Isolation fromLabel(String label) {
        return Labelled.parse(Isolation.class, "isolation", label);
    }
}
