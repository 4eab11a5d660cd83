package dev.lambdalab.testbed.serve;

import dev.lambdalab.testbed.proxy.PoolsSnapshot;
import java.util.Map;

/** How the live sampler counts a route's connections each second: the ways differ between the lab's and a user's. */
public interface RouteConnections {

    /** Whether the route's function goes through the proxy. */
    boolean proxied();

    /**
     * Database connections now.
     *
     * @param pools the proxy's pools now, or null without a proxy (or while it restarts)
     * @param byApplicationName the application role's connections by application_name
     */
    int database(PoolsSnapshot pools, Map<String, Integer> byApplicationName);

    /** Client connections to the proxy now, or null when the route has no proxy. */
    Integer clients(PoolsSnapshot pools);
}
