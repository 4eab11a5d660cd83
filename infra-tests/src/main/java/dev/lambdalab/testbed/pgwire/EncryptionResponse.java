package dev.lambdalab.testbed.pgwire;

/**
 * The one-byte answer to SSLRequest and GSSENCRequest ("Message Flow", PostgreSQL manual chapter 55.2.10): go on with
 * the handshake, or in plain text.
 */
public enum EncryptionResponse {
    ACCEPTED('S'),
    REFUSED('N');

    private final byte code;

    EncryptionResponse(char code) {
        this.code = (byte) code;
    }

    public byte code() {
        return code;
    }
}
