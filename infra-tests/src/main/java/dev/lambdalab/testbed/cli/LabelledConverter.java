package dev.lambdalab.testbed.cli;

import dev.lambdalab.testbed.label.Labelled;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads an enum option by its label ({@code managed-instances}, {@code rds-proxy}), the way the reports spell it,
 * with {@link Labelled#parse}'s one wording for a bad value: {@code execution model must be classic or
 * managed-instances, got "lmi"}.
 */
final class LabelledConverter<E extends Enum<E> & Labelled> implements ITypeConverter<E> {

    private final Class<E> type;
    private final String what;

    private LabelledConverter(Class<E> type, String what) {
        this.type = type;
        this.what = what;
    }

    @Override
    public E convert(String value) {
        try {
            return Labelled.parse(type, what, value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** Registers the converter of {@code type} on every command of {@code commandLine}. */
    static <E extends Enum<E> & Labelled> void register(CommandLine commandLine, Class<E> type, String what) {
        commandLine.registerConverter(type, new LabelledConverter<>(type, what));
    }
}
