package dev.lambdalab.testbed.faults;

import dev.lambdalab.testbed.TestBed;
import java.util.Optional;

/**
 * One family of faults: it sets the fault up on the test bed, drives the fixed function through it with a
 * {@link FaultProbe}, and returns what held and what was measured. Each {@link Fault} names its experiment;
 * the {@link FaultRunner} checks what the fault needs, resets the lab's connections around it and reports.
 */
interface FaultExperiment {

    /** Injects the fault and measures it. */
    FaultResult run(Fault fault, FaultProbe probe) throws InterruptedException;

    /**
     * Why this experiment cannot show its fault faithfully on this test bed, beyond what {@link Fault#needs()}
     * says; empty when it can.
     */
    default Optional<String> unsupported(TestBed testBed) {
        return Optional.empty();
    }
}
