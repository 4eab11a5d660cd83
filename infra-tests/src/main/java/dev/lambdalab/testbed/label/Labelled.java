package dev.lambdalab.testbed.label;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A value the CLI and the reports spell as a short label ({@code classloader}, {@code rds-proxy},
 * {@code proxy-restart-under-load}), with one way to read a label back and one wording for a bad one, so that
 * every flag refuses a bad value the same way: {@code isolation must be classloader or process, got "vm"}.
 */
public interface Labelled {

    /** How flags and reports spell it. */
    String label();

    /** The usual label of a constant: its name in lower case, '_' as '-'. */
    static String of(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The constant whose label this is, ignoring case and surrounding blanks.
     *
     * @param what what the value is, for the message ("isolation", "JVM profile")
     * @throws IllegalArgumentException {@code WHAT must be A, B or C, got "VALUE"}
     */
    static <E extends Enum<E> & Labelled> E parse(Class<E> type, String what, String value) {
        String wanted = value == null ? "" : value.strip();
        for (E constant : type.getEnumConstants()) {
            if (constant.label().equalsIgnoreCase(wanted)) {
                return constant;
            }
        }
        throw new IllegalArgumentException(what + " must be " + alternatives(type) + ", got \"" + value + "\"");
    }

    /** Every label of the type: {@code a, b or c}. */
    static <E extends Enum<E> & Labelled> String alternatives(Class<E> type) {
        List<String> labels = Arrays.stream(type.getEnumConstants()).map(Labelled::label).toList();
        return labels.size() == 1 ? labels.get(0)
                : String.join(", ", labels.subList(0, labels.size() - 1)) + " or " + labels.get(labels.size() - 1);
    }
}
