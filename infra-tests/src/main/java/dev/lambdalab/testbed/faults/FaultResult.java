package dev.lambdalab.testbed.faults;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one fault did to the fixed function, as the caller and the servers saw it. Built with
 * {@link #of(Fault)}, or {@link #skipped(Fault, String)} when the fault could not run.
 *
 * @param fault the fault
 * @param skipped why it did not run (no proxy of the chosen kind, a server the test bed cannot restart), else {@code null}
 * @param callerSaw one line for the table of docs/faults.md: what the callers got
 * @param recovery one line: how long until every caller got 200 again, or "no error to recover from"
 * @param answers every answer by kind: {@code 200}, {@code 503 CONNECTION_LOST}, {@code TIMEOUT}...
 * @param measurements the numbers behind the two lines, by name with their unit in the name
 * @param checks what must hold, each with what was measured
 * @param log what the functions logged (their LambdaLogger lines), for the report and the leak check
 * @param bodies the bodies of every answer that was not a 200 and of a few that were, for the leak check
 *     (not in the report)
 */
public record FaultResult(Fault fault, String skipped, String callerSaw, String recovery, Map<String, Long> answers,
        Map<String, Number> measurements, List<Check> checks, List<String> log, List<String> bodies) {

    /** One condition and the value it was checked against. */
    public record Check(String name, boolean passed, String measured) {
        public Check {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(measured, "measured");
        }
    }

    public FaultResult {
        Objects.requireNonNull(fault, "fault");
        Objects.requireNonNull(callerSaw, "callerSaw");
        Objects.requireNonNull(recovery, "recovery");
        answers = Collections.unmodifiableMap(new LinkedHashMap<>(answers)); // in the order given
        measurements = Collections.unmodifiableMap(new LinkedHashMap<>(measurements));
        checks = List.copyOf(checks);
        log = List.copyOf(log);
        bodies = List.copyOf(bodies);
    }

    static FaultResult skipped(Fault fault, String reason) {
        Objects.requireNonNull(reason, "reason");
        return new FaultResult(fault, reason, "skipped: " + reason, "", Map.of(), Map.of(), List.of(), List.of(),
                List.of());
    }

    /** A builder for the result of a fault that ran. */
    static Builder of(Fault fault) {
        return new Builder(fault);
    }

    /** The result of a fault that ran: the two lines, the answers, the measurements in order, the checks. */
    static final class Builder {
        private final Fault fault;
        private String callerSaw;
        private String recovery;
        private Map<String, Long> answers = Map.of();
        private final Map<String, Number> measurements = new LinkedHashMap<>();
        private final List<Check> checks = new ArrayList<>();
        private List<String> log = List.of();
        private List<String> bodies = List.of();

        private Builder(Fault fault) {
            this.fault = Objects.requireNonNull(fault, "fault");
        }

        /** The line "what the caller sees" of the table. */
        Builder callerSaw(String line) {
            this.callerSaw = Objects.requireNonNull(line, "callerSaw");
            return this;
        }

        /** The line "recovery" of the table. */
        Builder recovery(String line) {
            this.recovery = Objects.requireNonNull(line, "recovery");
            return this;
        }

        Builder answers(Map<String, Long> answers) {
            this.answers = Objects.requireNonNull(answers, "answers");
            return this;
        }

        /** A measurement, its unit in its name ({@code slowestAnswerMillis}). */
        Builder measure(String name, Number value) {
            measurements.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, name));
            return this;
        }

        /** A condition that must hold, with what was measured. */
        Builder check(String name, boolean passed, String measured) {
            checks.add(new Check(name, passed, measured));
            return this;
        }

        Builder log(List<String> log) {
            this.log = Objects.requireNonNull(log, "log");
            return this;
        }

        Builder bodies(List<String> bodies) {
            this.bodies = Objects.requireNonNull(bodies, "bodies");
            return this;
        }

        FaultResult build() {
            if (callerSaw == null || recovery == null) {
                throw new IllegalStateException(fault.label() + ": a result needs both callerSaw and recovery");
            }
            return new FaultResult(fault, null, callerSaw, recovery, answers, measurements, checks, log, bodies);
        }
    }

    public boolean wasSkipped() {
        return skipped != null;
    }

    /** True when it ran and every check held. */
    public boolean passed() {
        return !wasSkipped() && checks.stream().allMatch(Check::passed);
    }

    /** A measurement as a long, for tests. */
    public long measured(String name) {
        Number value = measurements.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no measurement \"" + name + "\" for " + fault.label() + "; have "
                    + measurements.keySet());
        }
        return value.longValue();
    }

    /** The checks, one per line, for assertion messages. */
    public String checksText() {
        StringBuilder text = new StringBuilder(fault.label()).append(": ").append(callerSaw).append(" | ")
                .append(recovery).append('\n');
        for (Check check : checks) {
            text.append(check.passed() ? "  ok   " : "  FAIL ").append(check.name()).append(": ")
                    .append(check.measured()).append('\n');
        }
        return text.toString();
    }
}
