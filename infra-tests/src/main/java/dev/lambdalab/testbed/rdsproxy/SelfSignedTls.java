package dev.lambdalab.testbed.rdsproxy;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;

/**
 * The emulator's TLS: a certificate generated at start for "localhost" (Bouncy Castle signs it), so that
 * clients can use {@code sslmode=require} locally. RDS Proxy presents an Amazon-issued certificate; clients
 * that verify it ({@code verify-full} with AWS's bundle) cannot verify this one, which is the point: the
 * lab does not pretend to be AWS.
 */
final class SelfSignedTls {

    private SelfSignedTls() {
    }

    @SuppressWarnings("deprecation") // SelfSignedCertificate: fine for a local test certificate
    static SslContext serverContext() {
        try {
            SelfSignedCertificate certificate = new SelfSignedCertificate("localhost");
            return SslContextBuilder.forServer(certificate.certificate(), certificate.privateKey()).build();
        } catch (CertificateException | SSLException e) {
            throw new IllegalStateException("cannot generate the proxy's TLS certificate: " + e.getMessage(), e);
        }
    }
}
