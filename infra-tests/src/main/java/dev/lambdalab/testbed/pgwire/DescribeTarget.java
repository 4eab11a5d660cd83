package dev.lambdalab.testbed.pgwire;

/** What a Describe or Close names ("Message Formats", PostgreSQL manual chapter 55): a prepared statement or a portal. */
public enum DescribeTarget {
    STATEMENT('S'),
    PORTAL('P');

    private final byte code;

    DescribeTarget(char code) {
        this.code = (byte) code;
    }

    public byte code() {
        return code;
    }
}
