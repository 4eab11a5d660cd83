package dev.lambdalab.testbed.pgwire;

import java.util.Arrays;
import java.util.function.Function;

/** Lookup tables from a type byte to its constant: one array read per message, on the proxies' hot paths. */
final class ProtocolCodes {

    private ProtocolCodes() {
    }

    /** A table of 128 entries (type bytes are ASCII), each byte's constant or {@code unknown}. */
    static <E extends Enum<E>> E[] index(E[] values, Function<E, Byte> code, E unknown) {
        E[] table = Arrays.copyOf(values, 128);
        Arrays.fill(table, unknown);
        for (E value : values) {
            if (value != unknown) {
                table[code.apply(value)] = value;
            }
        }
        return table;
    }
}
