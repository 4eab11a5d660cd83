package dev.lambdalab.testbed.db;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A server someone else runs, given as {@code postgresql://SUPERUSER:PASSWORD@HOST:PORT/postgres}
 * (TESTBED_POSTGRES_URL, or the CLI's --postgres-url). The test bed creates its database and roles in
 * it; it never stops the server.
 */
public final class ExternalPostgresServer implements PostgresServer {

    private final String host;
    private final int port;
    private final String user;
    private final String password;

    /**
     * @throws IllegalArgumentException naming what is wrong with the URL (its password is never shown)
     */
    public ExternalPostgresServer(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the PostgreSQL URL is not a URL: expected"
                    + " postgresql://SUPERUSER:PASSWORD@HOST:PORT/postgres");
        }
        if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
            throw new IllegalArgumentException("the PostgreSQL URL must start with postgresql://, got scheme \""
                    + uri.getScheme() + "\"");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("the PostgreSQL URL has no host");
        }
        if (uri.getRawUserInfo() == null) {
            throw new IllegalArgumentException("the PostgreSQL URL has no user: it needs a superuser to create"
                    + " the test bed's roles");
        }
        String[] userInfo = uri.getRawUserInfo().split(":", 2);
        this.host = uri.getHost();
        this.port = uri.getPort() < 0 ? 5432 : uri.getPort();
        this.user = URLDecoder.decode(userInfo[0], StandardCharsets.UTF_8);
        this.password = userInfo.length > 1 ? URLDecoder.decode(userInfo[1], StandardCharsets.UTF_8) : null;
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String superuser() {
        return user;
    }

    @Override
    public String superuserPassword() {
        return password;
    }

    @Override
    public String description() {
        return "external PostgreSQL at " + host + ":" + port;
    }

    @Override
    public void close() {
        // not ours to stop
    }
}
