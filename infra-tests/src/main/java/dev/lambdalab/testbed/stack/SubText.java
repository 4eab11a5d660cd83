package dev.lambdalab.testbed.stack;

import java.util.Optional;

/**
 * The text of an {@code Fn::Sub}: each {@code ${Name}} replaced by the name's value, and {@code ${!Literal}} written as
 * {@code ${Literal}} ("Fn::Sub", CloudFormation User Guide).
 */
final class SubText {

    /** A name's value, or empty when it has none here. */
    interface Lookup<E extends Exception> {
        Optional<String> value(String name) throws E;
    }

    private SubText() {
    }

    /**
     * The text with every name replaced, or empty when a name has no value.
     *
     * @throws IllegalArgumentException for a {@code ${} that is never closed
     */
    static <E extends Exception> Optional<String> substitute(String text, Lookup<E> lookup) throws E {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (at < text.length()) {
            int start = text.indexOf("${", at);
            if (start < 0) {
                out.append(text, at, text.length());
                break;
            }
            int end = text.indexOf('}', start);
            if (end < 0) {
                throw new IllegalArgumentException("Fn::Sub text has an unclosed ${: " + text);
            }
            out.append(text, at, start);
            String name = text.substring(start + 2, end);
            if (name.startsWith("!")) {
                out.append("${").append(name.substring(1)).append('}');
            } else {
                Optional<String> value = lookup.value(name);
                if (value.isEmpty()) {
                    return Optional.empty();
                }
                out.append(value.get());
            }
            at = end + 1;
        }
        return Optional.of(out.toString());
    }
}
