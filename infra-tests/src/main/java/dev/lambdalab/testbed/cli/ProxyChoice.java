package dev.lambdalab.testbed.cli;

import dev.lambdalab.testbed.label.Labelled;
import dev.lambdalab.testbed.proxy.ProxyKind;
import java.util.Optional;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * What {@code --proxy} names: one of the test bed's proxies, or {@code none}, which only the commands that run a
 * user's template take (their functions then go straight to the database); {@link TestBedOptions#validate} refuses
 * it elsewhere.
 */
enum ProxyChoice implements Labelled {
    RDS_PROXY(ProxyKind.RDS_PROXY),
    PGBOUNCER(ProxyKind.PGBOUNCER),
    NONE(null);

    private final ProxyKind kind;

    ProxyChoice(ProxyKind kind) {
        this.kind = kind;
    }

    /** {@code rds-proxy} and {@code pgbouncer}, as {@link ProxyKind} spells them, and {@code none}. */
    @Override
    public String label() {
        return kind == null ? "none" : kind.label();
    }

    /** The proxy, or empty for {@code none}. */
    Optional<ProxyKind> kind() {
        return Optional.ofNullable(kind);
    }

    /**
     * Reads the flag. Its message lists {@code none} with the commands that take it, since the converter is shared by
     * every command: {@code --proxy: proxy must be rds-proxy or pgbouncer (or none, for serve and invoke with a
     * template), got "haproxy"}.
     */
    static final class Converter implements ITypeConverter<ProxyChoice> {
        @Override
        public ProxyChoice convert(String value) {
            try {
                return Labelled.parse(ProxyChoice.class, "proxy", value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(refusal(value, " (or none, for serve and invoke with a template)"));
            }
        }
    }

    /** The one wording of a refused value, with what else is allowed where the command allows more. */
    static String refusal(String value, String more) {
        return "--proxy: proxy must be " + Labelled.alternatives(ProxyKind.class) + more + ", got \"" + value + "\"";
    }
}
