package dev.lambdalab.db;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What values a {@link Setting} accepts: a parser plus the sentence that describes the allowed
 * values. The sentence is used both in error messages ({@code "POOL_MAX_SIZE must be an integer from
 * 1 to 100, got \"abc\""}) and in the settings table of docs/settings.md, so the two can never disagree.
 */
public abstract class Constraint {

    private final String allowed;
    private final Class<?> valueType;

    private Constraint(String allowed, Class<?> valueType) {
        this.allowed = allowed;
        this.valueType = valueType;
    }

    /** What {@link #parse} returns: Integer, Boolean, String, DatabaseUrl or Map. The typed reads check it. */
    public final Class<?> valueType() {
        return valueType;
    }

    /** The allowed values in words, phrased to follow "must be": {@code "an integer from 1 to 10"}. */
    public final String allowed() {
        return allowed;
    }

    /**
     * Parses a raw, non-blank value.
     *
     * @throws IllegalArgumentException when the value is not allowed; the message is ignored by
     *     callers, which build their own from {@link #allowed()}
     */
    abstract Object parse(String raw);

    static Constraint integer(int min, int max) {
        return new Constraint("an integer from " + min + " to " + max, Integer.class) {
            @Override
            Object parse(String raw) {
                int value;
                try {
                    value = Integer.parseInt(raw.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not an integer", e);
                }
                if (value < min || value > max) {
                    throw new IllegalArgumentException("out of range");
                }
                return value;
            }
        };
    }

    static Constraint oneOf(String... values) {
        List<String> allowedValues = List.of(values);
        return new Constraint("one of " + String.join(", ", allowedValues), String.class) {
            @Override
            Object parse(String raw) {
                String value = raw.trim().toLowerCase(Locale.ROOT);
                if (!allowedValues.contains(value)) {
                    throw new IllegalArgumentException("not allowed");
                }
                return value;
            }
        };
    }

    static Constraint bool() {
        return new Constraint("true or false", Boolean.class) {
            @Override
            Object parse(String raw) {
                String value = raw.trim().toLowerCase(Locale.ROOT);
                if (value.equals("true")) {
                    return Boolean.TRUE;
                }
                if (value.equals("false")) {
                    return Boolean.FALSE;
                }
                throw new IllegalArgumentException("not a boolean");
            }
        };
    }

    static Constraint matching(String allowed, String regex) {
        Pattern pattern = Pattern.compile(regex);
        return new Constraint(allowed, String.class) {
            @Override
            Object parse(String raw) {
                if (!pattern.matcher(raw).matches()) {
                    throw new IllegalArgumentException("does not match");
                }
                return raw;
            }
        };
    }

    /** Any non-blank text of at most {@code maxLength} characters without control characters. */
    static Constraint text(int maxLength) {
        return new Constraint("text of 1 to " + maxLength + " characters, without control characters",
                String.class) {
            @Override
            Object parse(String raw) {
                if (raw.length() > maxLength || raw.chars().anyMatch(Character::isISOControl)) {
                    throw new IllegalArgumentException("bad text");
                }
                return raw;
            }
        };
    }

    /** A Prisma-style {@code postgresql://} URL, parsed by {@link DatabaseUrl}. */
    static Constraint databaseUrl() {
        return new Constraint(
                "a URL of the form postgresql://USER:PASSWORD@HOST:PORT/DATABASE?PARAMETERS with parameters "
                        + String.join(", ", DatabaseUrl.PARAMETERS), DatabaseUrl.class) {
            @Override
            Object parse(String raw) {
                return DatabaseUrl.parse(raw);
            }
        };
    }

    /**
     * Extra pgjdbc connection properties as {@code key=value&key=value}. Keys are checked against
     * pgjdbc's own catalogue ({@code org.postgresql.PGProperty}); the ones this project sets from its
     * own settings are refused, so that every knob has exactly one name.
     */
    static Constraint jdbcParameters(Set<String> reservedKeys) {
        return new Constraint(
                "key=value pairs joined by '&', keys being pgjdbc connection properties other than "
                        + String.join(", ", reservedKeys.stream().sorted().toList()), Map.class) {
            @Override
            Object parse(String raw) {
                return JdbcParameters.parse(raw, reservedKeys);
            }
        };
    }

    @Override
    public String toString() {
        return allowed;
    }
}
