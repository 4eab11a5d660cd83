package dev.lambdalab.db;

/**
 * Credentials that can be read again when the database rejects them: a Secrets Manager secret that
 * was rotated, an IAM token that aged out. {@link CredentialsDataSource} asks once per rejected login.
 */
public interface RefreshableCredentials {

    /**
     * Reads the credentials again after the server rejected them (SQLState 28P01 or 28000).
     * Implementations limit how often they go back to their source, so a wrong secret cannot turn every
     * connection attempt into a Secrets Manager call.
     *
     * @return true when the credentials changed, so that one retry may succeed; false when they are the
     *     same or were not read again
     * @throws CredentialsException when reading them failed
     */
    boolean refreshAfterAuthenticationFailure();

    /**
     * Forgets what was read during init, after a SnapStart restore: every copy of a snapshot starts with the
     * credentials of the environment that was snapshotted, possibly days old (a token past its life, a secret
     * rotated since). Called from an {@code afterRestore} hook, before the first request of the copy.
     *
     * @throws CredentialsException when reading them again failed
     */
    void refreshAfterRestore();
}
