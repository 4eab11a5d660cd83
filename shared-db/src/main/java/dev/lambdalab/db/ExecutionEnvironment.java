package dev.lambdalab.db;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Identity of the execution environment this code runs in: one per Lambda environment (one process,
 * or one class loader in the test bed's emulator), fixed for its whole life.
 *
 * <p>The id is the one Lambda gives the environment's log stream
 * ({@code 2026/11/28/[$LATEST]0123456789abcdef...}), so a connection seen in {@code pg_stat_activity}
 * leads straight to the CloudWatch log stream of the environment that holds it. Outside Lambda it is
 * random. (SnapStart functions have no AWS_LAMBDA_LOG_STREAM_NAME, "Monitoring for Lambda SnapStart", so
 * theirs is random too, and generated during init: every copy restored from the snapshot starts with the
 * same one until {@link #renewAfterRestore()}.)
 */
public final class ExecutionEnvironment {

    private static final Pattern LOG_STREAM_ID = Pattern.compile("\\]([0-9a-fA-F]{8,64})$");
    private static volatile String id = idFrom(EnvironmentVariables.current().get(
            Setting.AWS_LAMBDA_LOG_STREAM_NAME.variable()));
    private static final AtomicBoolean INVOKED = new AtomicBoolean();

    private ExecutionEnvironment() {
    }

    /** The environment id, lower-case hex. */
    public static String id() {
        return id;
    }

    /** The first 12 characters of the id, enough to tell environments apart in a name or a log line. */
    public static String shortId() {
        return id.substring(0, 12);
    }

    /**
     * Gives this environment a new random id, for an {@code afterRestore} hook: a SnapStart snapshot is
     * restored into many environments at once, and each would otherwise report the id that init generated
     * (AWS's "Handling uniqueness with Lambda SnapStart": generate unique values after restore). The random
     * bytes come from a SecureRandom made now, which reads the kernel's pool after the restore.
     *
     * @return the new id
     */
    public static String renewAfterRestore() {
        id = idFrom(null);
        return id;
    }

    /**
     * Marks an invocation. True exactly once per environment: for its first invocation, the one that
     * followed the cold start.
     */
    public static boolean markInvocationIsCold() {
        return !INVOKED.getAndSet(true);
    }

    static String idFrom(String logStreamName) {
        if (logStreamName != null) {
            Matcher matcher = LOG_STREAM_ID.matcher(logStreamName);
            if (matcher.find() && matcher.group(1).length() >= 12) {
                return matcher.group(1).toLowerCase(java.util.Locale.ROOT);
            }
        }
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
