package dev.lambdalab.testbed.cli;

import dev.lambdalab.testbed.label.Labelled;
import dev.lambdalab.testbed.lambda.Isolation;
import dev.lambdalab.testbed.lambda.process.JvmProfile;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine;

/**
 * Reads an enum option by its label ({@code managed-instances}, {@code rds-proxy}), the way the reports spell it,
 * with {@link Labelled#parse}'s one wording for a bad value: {@code execution model must be classic or
 * managed-instances, got "lmi"}.
 */
class LabelledConverter<E extends Enum<E> & Labelled> implements ITypeConverter<E> {

    private final Class<E> type;
    private final String what;

    LabelledConverter(Class<E> type, String what) {
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

    /** {@code --isolation}. */
    static final class IsolationConverter extends LabelledConverter<Isolation> {
        IsolationConverter() {
            super(Isolation.class, "--isolation: isolation");
        }
    }

    /** {@code --jvm-profile}. */
    static final class JvmProfileConverter extends LabelledConverter<JvmProfile> {
        JvmProfileConverter() {
            super(JvmProfile.class, "--jvm-profile: JVM profile");
        }
    }

    /** Registers the converter of {@code type} on every command of {@code commandLine}. */
    static <E extends Enum<E> & Labelled> void register(CommandLine commandLine, Class<E> type, String what) {
        commandLine.registerConverter(type, new LabelledConverter<>(type, what));
    }
}
