package dev.lambdalab.testbed.cli;

import dev.lambdalab.testbed.Variant;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --variants}: broken or fixed, the pair the matrix compares. The SnapStart variant comes with
 * {@code --snapstart}, which also sets what it needs (process isolation, a snapshot).
 */
final class PairVariantConverter implements ITypeConverter<Variant> {

    @Override
    public Variant convert(String value) {
        for (Variant variant : Variant.pair()) {
            if (variant.label().equalsIgnoreCase(value.strip())) {
                return variant;
            }
        }
        throw new TypeConversionException("expected one of " + Variant.pair().stream().map(Variant::label).toList()
                .toString().toUpperCase(Locale.ROOT) + " (case-insensitive) but was '" + value + "'");
    }
}
