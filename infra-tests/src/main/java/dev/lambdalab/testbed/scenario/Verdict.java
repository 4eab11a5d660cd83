package dev.lambdalab.testbed.scenario;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.lambdalab.testbed.label.Labelled;

/**
 * How a scenario's run compares with what it is meant to show: the report's {@code verdict} field, written
 * {@code as expected}, {@code UNEXPECTED} or {@code skipped} (docs/report-schema.md).
 */
public enum Verdict implements Labelled {
    /** It showed what it is meant to: the broken variant failed, the fixed one held. */
    AS_EXPECTED("as expected"),
    /** It did not: a fix that failed, or a mistake that went unpunished. */
    UNEXPECTED("UNEXPECTED"),
    /** It did not run here (a proxy not installed, a server that cannot be restarted). */
    SKIPPED("skipped");

    private final String label;

    Verdict(String label) {
        this.label = label;
    }

    /** The verdict of a run that was meant to {@code expected} and was {@code observed} to. */
    public static Verdict of(Scenario.Expectation expected, Scenario.Expectation observed) {
        return expected == observed ? AS_EXPECTED : UNEXPECTED;
    }

    @JsonValue
    @Override
    public String label() {
        return label;
    }

    /** The verdict with this label, as the report writes it. */
    @JsonCreator
    public static Verdict fromLabel(String label) {
        return Labelled.parse(Verdict.class, "verdict", label);
    }
}
