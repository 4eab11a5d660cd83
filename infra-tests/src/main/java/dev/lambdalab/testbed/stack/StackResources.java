package dev.lambdalab.testbed.stack;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The database and the proxy of a template, with the defaults AWS applies to what the template leaves out.
 *
 * @param instanceClass DBInstanceClass
 * @param maxConnectionsParameter max_connections from the instance's parameter group, when it sets it
 * @param proxy the proxy's pool settings, when the template has an RDS Proxy
 */
public record StackResources(String instanceClass, OptionalInt maxConnectionsParameter, Optional<ProxySpec> proxy) {

    /** RDS's default for PostgreSQL: {@code LEAST({DBInstanceClassMemory/9531392}, 5000)}. */
    static final long BYTES_PER_CONNECTION = 9_531_392L;

    /** PostgreSQL's superuser_reserved_connections default: slots the application role can never have. */
    public static final int RESERVED_FOR_SUPERUSERS = 3;

    /** Memory of instance classes, in GiB, for RDS's max_connections formula when the template does not set it. */
    private static final Map<String, Integer> MEMORY_GIB = Map.ofEntries(
            Map.entry("micro", 1), Map.entry("small", 2), Map.entry("medium", 4), Map.entry("large", 8),
            Map.entry("xlarge", 16), Map.entry("2xlarge", 32), Map.entry("4xlarge", 64), Map.entry("8xlarge", 128));

    /**
     * An RDS Proxy's pool, with RDS's defaults for what the template leaves out ("Connection pool configuration"
     * of AWS::RDS::DBProxyTargetGroup: MaxConnectionsPercent 100, MaxIdleConnectionsPercent 50,
     * ConnectionBorrowTimeout 120 s; IdleClientTimeout 1800 s).
     */
    public record ProxySpec(int maxConnectionsPercent, int maxIdleConnectionsPercent, int borrowTimeoutSeconds,
            int idleClientTimeoutSeconds) {
    }

    /**
     * The database's max_connections: the parameter group's, else RDS's formula on the class's memory (an upper
     * bound: DBInstanceClassMemory is what is left after the operating system).
     *
     * @throws IllegalArgumentException for a class whose memory is not known here
     */
    public int maxConnections() {
        if (maxConnectionsParameter.isPresent()) {
            return maxConnectionsParameter.getAsInt();
        }
        String size = instanceClass.substring(instanceClass.lastIndexOf('.') + 1);
        Integer gib = instanceClass.startsWith("db.r") && MEMORY_GIB.containsKey(size) ? MEMORY_GIB.get(size) * 2
                : MEMORY_GIB.get(size);
        if (gib == null) {
            throw new IllegalArgumentException("the memory of instance class " + instanceClass + " is not known here:"
                    + " set max_connections in the DB parameter group");
        }
        return (int) Math.min(gib * 1024L * 1024 * 1024 / BYTES_PER_CONNECTION, 5000);
    }

    /** True when max_connections comes from RDS's formula rather than the template. */
    public boolean maxConnectionsEstimated() {
        return maxConnectionsParameter.isEmpty();
    }

    /** The database connections the proxy may open: MaxConnectionsPercent of max_connections. */
    public int proxyDatabaseConnections() {
        return proxy.map(p -> maxConnections() * p.maxConnectionsPercent() / 100).orElse(0);
    }

    static StackResources of(StackTemplate template) {
        Map<String, Map<String, Object>> instances = template.resources("AWS::RDS::DBInstance");
        if (instances.size() != 1) {
            throw new IllegalArgumentException(template.file().getFileName() + " has " + instances.size()
                    + " DB instances; testbed check reads a stack with exactly one");
        }
        Map<String, Object> instance = StackTemplate.map(instances.values().iterator().next().get("Properties"));
        String instanceClass = template.text(instance.get("DBInstanceClass")).orElse("?");
        OptionalInt maxConnections = OptionalInt.empty();
        Object group = instance.get("DBParameterGroupName");
        if (group instanceof CloudFormationYaml.Intrinsic ref && "Ref".equals(ref.function())) {
            Map<String, Object> parameters = StackTemplate.map(StackTemplate.map(StackTemplate.map(
                    template.resources("AWS::RDS::DBParameterGroup").get(String.valueOf(ref.argument())))
                    .get("Properties")).get("Parameters"));
            Optional<String> value = template.text(parameters.get("max_connections"));
            if (value.isPresent()) {
                maxConnections = OptionalInt.of(Integer.parseInt(value.get()));
            }
        }
        return new StackResources(instanceClass, maxConnections, proxySpec(template));
    }

    /** The template's RDS Proxy pool settings (its first proxy's), with RDS's defaults; empty without a proxy. */
    static Optional<ProxySpec> proxySpec(StackTemplate template) {
        Optional<ProxySpec> proxy = Optional.empty();
        Map<String, Map<String, Object>> proxies = template.resources("AWS::RDS::DBProxy");
        if (!proxies.isEmpty()) {
            Map<String, Object> proxyProperties = StackTemplate.map(proxies.values().iterator().next().get("Properties"));
            Map<String, Object> pool = template.resources("AWS::RDS::DBProxyTargetGroup").values().stream()
                    .map(g -> StackTemplate.map(StackTemplate.map(g.get("Properties"))
                            .get("ConnectionPoolConfigurationInfo"))).findFirst().orElse(Map.of());
            proxy = Optional.of(new ProxySpec(number(template, pool.get("MaxConnectionsPercent"), 100),
                    number(template, pool.get("MaxIdleConnectionsPercent"), 50),
                    number(template, pool.get("ConnectionBorrowTimeout"), 120),
                    number(template, proxyProperties.get("IdleClientTimeout"), 1800)));
        }
        return proxy;
    }

    private static int number(StackTemplate template, Object value, int otherwise) {
        return template.text(value).map(text -> (int) Double.parseDouble(text)).orElse(otherwise);
    }
}
