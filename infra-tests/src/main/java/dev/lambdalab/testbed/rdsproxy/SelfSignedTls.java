package dev.lambdalab.testbed.rdsproxy;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.util.UUID;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * The emulator's TLS: a certificate generated at start for "localhost" (Bouncy Castle signs it), so that
 * clients can use {@code sslmode=require} locally. RDS Proxy presents an Amazon-issued certificate; clients
 * that verify it ({@code verify-full} with AWS's bundle) cannot verify this one, which is the point: the
 * lab does not pretend to be AWS.
 */
public final class SelfSignedTls {

    private SelfSignedTls() {
    }

    /**
     * The same kind of certificate for a blocking server (JSSE), such as the test bed's database endpoint that
     * answers an SSLRequest as RDS does.
     */
    @SuppressWarnings("deprecation") // SelfSignedCertificate: fine for a local test certificate
    public static SSLContext jsseServerContext() {
        try {
            SelfSignedCertificate certificate = new SelfSignedCertificate("localhost");
            char[] password = UUID.randomUUID().toString().toCharArray();
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", certificate.key(), password, new Certificate[] {certificate.cert()});
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot generate a TLS certificate: " + e.getMessage(), e);
        }
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
