package dev.lambdalab.db;

/**
 * Credentials could not be obtained: the secret could not be read or parsed, or an IAM token could
 * not be signed. The message names the secret or the user, never a password or token.
 */
public final class CredentialsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CredentialsException(String message, Throwable cause) {
        super(message, cause);
    }
}
