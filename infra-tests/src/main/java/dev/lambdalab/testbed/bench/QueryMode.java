package dev.lambdalab.testbed.bench;

import java.util.Locale;

/**
 * pgbench's {@code -M}: how a client sends its statements. The two ask different things of a proxy: a simple Query
 * is one message, the extended protocol five (Parse, Bind, Describe, Execute, Sync), each routed and answered
 * ("Message Flow", PostgreSQL manual, chapter 55).
 */
public enum QueryMode {
    SIMPLE,
    EXTENDED;

    /** pgbench's spelling of it. */
    public String flag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
