package dev.lambdalab.functions.snapstart;

import com.zaxxer.hikari.HikariCredentialsProvider;
import dev.lambdalab.db.ExecutionEnvironment;
import dev.lambdalab.db.PoolCheckpoint;
import dev.lambdalab.db.RefreshableCredentials;
import java.util.Objects;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SnapStart's runtime hooks for a pool built during init ("Lambda SnapStart runtime hooks for Java", AWS
 * Lambda documentation). Lambda's runtime client calls {@link #beforeCheckpoint} once, after init and
 * before the snapshot, and {@link #afterRestore} in every environment restored from it, before its first
 * invocation; hooks run in the reverse order of registration before the checkpoint and in order after the
 * restore.
 *
 * <p>Each hook logs one line, {@code [env ID variant] SnapStart beforeCheckpoint|afterRestore ...}: the test
 * bed checks their order against the init and the first invocation.
 */
public final class SnapStartHooks implements Resource {

    private static final Logger LOG = LoggerFactory.getLogger(SnapStartHooks.class);

    private final String variant;
    private final PoolCheckpoint pool;
    private final HikariCredentialsProvider credentials;

    SnapStartHooks(String variant, PoolCheckpoint pool, HikariCredentialsProvider credentials) {
        this.variant = Objects.requireNonNull(variant, "variant");
        this.pool = Objects.requireNonNull(pool, "pool");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
    }

    /**
     * Builds the hooks and registers them with the global context ({@code org.crac.Core}). Outside
     * SnapStart the registration is kept and the hooks never run.
     */
    public static SnapStartHooks register(String variant, PoolCheckpoint pool, HikariCredentialsProvider credentials) {
        SnapStartHooks hooks = new SnapStartHooks(variant, pool, credentials);
        Core.getGlobalContext().register(hooks);
        return hooks;
    }

    /** Empties and suspends the pool: no connection goes into the snapshot. */
    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        int closed = pool.emptyAndSuspend();
        LOG.info("[env {} {}] SnapStart beforeCheckpoint: pool emptied ({} connection(s) closed) and suspended",
                ExecutionEnvironment.shortId(), variant, closed);
    }

    /**
     * In each restored copy: a new environment id (the snapshot's is every copy's), credentials read again
     * (those of init may have expired or been rotated since), then the pool resumed.
     */
    @Override
    public void afterRestore(Context<? extends Resource> context) {
        String snapshotId = ExecutionEnvironment.shortId();
        ExecutionEnvironment.renewAfterRestore();
        if (credentials instanceof RefreshableCredentials refreshable) {
            refreshable.refreshAfterRestore();
        }
        pool.resume();
        LOG.info("[env {} {}] SnapStart afterRestore: restored from the snapshot of env {}; credentials {}; pool resumed",
                ExecutionEnvironment.shortId(), variant, snapshotId,
                credentials instanceof RefreshableCredentials ? "read again" : "unchanged (a password)");
    }
}
