package dev.lambdalab.functions.http;

/** The event or its query parameters are not acceptable: a 400 that names the field and the bad value. */
public final class BadRequestException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String field;

    public BadRequestException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The event field or query parameter at fault. */
    public String field() {
        return field;
    }
}
