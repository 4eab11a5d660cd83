package dev.lambdalab.testbed;

import dev.lambdalab.testbed.db.LabDatabase;
import dev.lambdalab.testbed.db.PostgresServer;
import dev.lambdalab.testbed.pgbouncer.PgBouncer;
import dev.lambdalab.testbed.pgbouncer.PgBouncerBinary;
import dev.lambdalab.testbed.pgbouncer.PgBouncerContainer;
import dev.lambdalab.testbed.proxy.Proxy;
import dev.lambdalab.testbed.proxy.ProxyKind;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.rdsproxy.RdsProxyEmulator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.testcontainers.containers.Network;

/**
 * The proxies a {@link TestBed} starts in front of its database, of whichever kind: the RDS Proxy emulator in
 * this JVM, PgBouncer as a child process, or PgBouncer in a container beside the container server. Each is
 * configured as RDS Proxy with the given settings would be in front of a server whose limit is the application
 * role's, and holds the lab roles' credentials as RDS Proxy holds a secret's. It stops every proxy it started.
 */
final class LabProxies implements AutoCloseable {

    private final PostgresServer server;
    private final LabDatabase lab;
    private final Network network;
    private final List<Proxy> started = new CopyOnWriteArrayList<>();

    LabProxies(PostgresServer server, LabDatabase lab, Network network) {
        this.server = server;
        this.lab = lab;
        this.network = network;
    }

    /** Whether a proxy of this kind can be started here: the emulator always; PgBouncer when installed or in Docker. */
    boolean available(ProxyKind kind) {
        return kind == ProxyKind.RDS_PROXY || network != null || PgBouncerBinary.find().isPresent();
    }

    /** Why a PgBouncer cannot be started, for skipped scenarios and tests. */
    static String unavailableReason() {
        return "PgBouncer is not installed: sudo apt-get install -y pgbouncer (or brew install pgbouncer), or use"
                + " --proxy rds-proxy, the emulator in the test bed's JVM";
    }

    /** What a proxy of this kind is here, for reports. */
    String description(ProxyKind kind) {
        if (kind == ProxyKind.RDS_PROXY) {
            return "RDS Proxy emulator (in the test bed's JVM; pinning, texts, limits and metrics of RDS Proxy for"
                    + " PostgreSQL)";
        }
        if (network != null) {
            return "PgBouncer in a container (Debian's package, " + PgBouncerContainer.BASE_IMAGE + ")";
        }
        return PgBouncerBinary.find().map(path -> PgBouncerBinary.version(path) + " (" + path + ")")
                .orElse("PgBouncer not installed (sudo apt-get install -y pgbouncer)");
    }

    /**
     * The RDS Proxy emulator with IAM authentication, as a proxy whose secret has {@code IAMAuth: REQUIRED}: TLS on,
     * and tokens signed with {@link #IAM_ACCESS_KEY_ID} and this run's secret key accepted.
     */
    Proxy startIam(ProxySettings settings, Duration tokenLifetime) {
        RdsProxyEmulator proxy = emulator(settings).withIamAuthentication(IAM_ACCESS_KEY_ID, iamSecretKey)
                .withIamTokenLifetime(tokenLifetime);
        started.add(proxy);
        iamProxies.add(proxy);
        return proxy.start();
    }

    /** Whether the proxy takes IAM tokens (started by {@link #startIam}). */
    boolean isIam(Proxy proxy) {
        return iamProxies.contains(proxy);
    }

    /** The access key id the lab's functions sign RDS IAM tokens with: not a secret, it names a key of this run. */
    static final String IAM_ACCESS_KEY_ID = "AKIATESTBEDIAM000001";
    private final String iamSecretKey = "testbed-iam-" + UUID.randomUUID();
    private final List<Proxy> iamProxies = new CopyOnWriteArrayList<>();

    /** What a function needs to sign tokens the IAM proxy accepts (Lambda gives the role's keys this way). */
    Map<String, String> iamEnvironment() {
        return Map.of("AWS_ACCESS_KEY_ID", IAM_ACCESS_KEY_ID, "AWS_SECRET_ACCESS_KEY", iamSecretKey);
    }

    /** The emulator in front of the lab database, with the lab's roles and limit, not started. */
    RdsProxyEmulator emulator(ProxySettings settings) {
        return new RdsProxyEmulator(server.host(), server.port())
                .withUser(lab.names().appRole(), lab.appPassword())
                .withUser(LabDatabase.MONITOR_ROLE, lab.monitorPassword())
                .withSettings(settings)
                .withServerConnectionLimit(lab.appConnectionLimit())
                .withDatabase(lab.names().database());
    }

    /** Starts a proxy of this kind in front of the lab database. */
    Proxy start(ProxyKind kind, ProxySettings settings) {
        if (kind == ProxyKind.RDS_PROXY) {
            RdsProxyEmulator proxy = emulator(settings)
                    // No TLS, as the test bed's PgBouncer: pgjdbc's sslmode=prefer would otherwise make every cold
                    // start a TLS handshake, whose CPU on a 2-core machine running 100 environments (and their
                    // clients' side of the handshake) decides the cold-start storm; on AWS each environment has
                    // its own CPU. The emulator's TLS is tested on its own (RdsProxyEmulatorIT) and testbed proxy
                    // offers it.
                    .withTls(false);
            started.add(proxy);
            return proxy.start();
        }
        if (network != null) {
            PgBouncerContainer proxy = new PgBouncerContainer(network, server.networkHost(), server.networkPort())
                    .withDatabase(lab.names().database())
                    .withUser(lab.names().appRole(), lab.appPassword())
                    .withUser(LabDatabase.MONITOR_ROLE, lab.monitorPassword())
                    .withAdminUser(LabDatabase.MONITOR_ROLE)
                    .configuredLike(settings, lab.appConnectionLimit());
            started.add(proxy);
            return proxy.start();
        }
        PgBouncer proxy = new PgBouncer()
                .withServer(server.host(), server.port())
                .withDatabase(lab.names().database())
                .withUser(lab.names().appRole(), lab.appPassword())
                .withUser(LabDatabase.MONITOR_ROLE, lab.monitorPassword())
                .withAdminUser(LabDatabase.MONITOR_ROLE)
                .configuredLike(settings, lab.appConnectionLimit());
        started.add(proxy); // before start: close() must stop it even if start() is interrupted
        return proxy.start();
    }

    /** Stops every proxy still running. */
    @Override
    public void close() {
        for (Proxy proxy : started) {
            proxy.close();
        }
        started.clear();
    }
}
