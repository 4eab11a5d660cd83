package dev.lambdalab.testbed.rdsproxy;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks an RDS IAM authentication token as RDS Proxy does before it lets a client in: the token is a SigV4
 * presigned URL for {@code rds-db:connect} ("Connecting to your DB instance using IAM authentication", and the AWS
 * SDK's {@code RdsUtilities.generateAuthenticationToken}):
 * <pre>host:port/?Action=connect&amp;DBUser=user&amp;X-Amz-Algorithm=AWS4-HMAC-SHA256&amp;X-Amz-Credential=KEY/date/region/rds-db/aws4_request
 *   &amp;X-Amz-Date=...&amp;X-Amz-Expires=900&amp;X-Amz-SignedHeaders=host&amp;X-Amz-Signature=...</pre>
 * Its signature is computed again with the secret key the test bed holds for the access key it names (SigV4,
 * "Signature Version 4 signing process": canonical request, string to sign, derived key), and its host, port, user,
 * action and time are checked: a token lives 15 minutes from its date.
 */
public final class IamTokens {

    /** Service name of RDS's database authentication in SigV4 scopes. */
    static final String SERVICE = "rds-db";
    /** "Each authentication token has a lifetime of 15 minutes." */
    public static final Duration LIFETIME = Duration.ofMinutes(15);
    /** How far a token's date may be ahead of this clock (clock skew). */
    static final Duration SKEW = Duration.ofMinutes(5);

    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private final Map<String, String> secretKeys;
    private final Clock clock;
    private final Duration lifetime;

    /**
     * @param secretKeys secret access key by access key id: the credentials clients sign with
     * @param clock now, for expiry
     */
    public IamTokens(Map<String, String> secretKeys, Clock clock) {
        this(secretKeys, clock, LIFETIME);
    }

    /**
     * @param lifetime how long a token lives: RDS's 15 minutes ({@link #LIFETIME}), or less where a test compresses
     *     time, as the faults compress IdleClientTimeout, rather than wait 15 minutes
     */
    public IamTokens(Map<String, String> secretKeys, Clock clock, Duration lifetime) {
        this.secretKeys = Map.copyOf(secretKeys);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
        if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(LIFETIME) > 0) {
            throw new IllegalArgumentException("token lifetime must be from 1 s to " + LIFETIME.toMinutes()
                    + " minutes, got " + lifetime);
        }
    }

    /**
     * Why the token does not let {@code user} in at {@code host}:{@code port}, or empty when it does. The reason is for
     * the proxy's log; the client gets RDS Proxy's one text whatever the reason.
     */
    public Optional<String> refusal(String token, String host, int port, String user) {
        int query = token.indexOf("/?");
        if (query < 0) {
            return Optional.of("not an RDS auth token (no /?)");
        }
        String endpoint = token.substring(0, query);
        if (!endpoint.equalsIgnoreCase(host + ":" + port)) {
            return Optional.of("signed for " + endpoint + ", not " + host + ":" + port);
        }
        Map<String, String> raw = new TreeMap<>(); // sorted by name: the canonical query's order
        for (String pair : token.substring(query + 2).split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                return Optional.of("a malformed query parameter");
            }
            raw.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        String signature = raw.remove("X-Amz-Signature");
        if (signature == null || !"connect".equals(decoded(raw.get("Action")))
                || !"AWS4-HMAC-SHA256".equals(decoded(raw.get("X-Amz-Algorithm")))
                || !"host".equals(decoded(raw.get("X-Amz-SignedHeaders")))) {
            return Optional.of("not a SigV4 token for the connect action");
        }
        if (!user.equals(decoded(raw.get("DBUser")))) {
            return Optional.of("signed for user " + decoded(raw.get("DBUser")) + ", not " + user);
        }
        String[] scope = String.valueOf(decoded(raw.get("X-Amz-Credential"))).split("/");
        if (scope.length != 5 || !scope[3].equals(SERVICE) || !scope[4].equals("aws4_request")) {
            return Optional.of("a credential scope that is not rds-db's");
        }
        String secret = secretKeys.get(scope[0]);
        if (secret == null) {
            return Optional.of("signed with an unknown access key");
        }
        String amzDate = decoded(raw.get("X-Amz-Date"));
        Instant signed;
        long expires;
        try {
            signed = Instant.from(AMZ_DATE.parse(String.valueOf(amzDate)));
            expires = Long.parseLong(String.valueOf(decoded(raw.get("X-Amz-Expires"))));
        } catch (DateTimeParseException | NumberFormatException e) {
            return Optional.of("an unreadable X-Amz-Date or X-Amz-Expires");
        }
        Instant now = clock.instant();
        Instant end = signed.plus(Duration.ofSeconds(Math.min(expires, lifetime.toSeconds())));
        if (now.isAfter(end)) {
            return Optional.of("expired at " + end + " (signed " + amzDate + ")");
        }
        if (signed.isAfter(now.plus(SKEW))) {
            return Optional.of("signed in the future (" + amzDate + ")");
        }
        StringBuilder canonicalQuery = new StringBuilder();
        raw.forEach((name, value) -> canonicalQuery.append(canonicalQuery.length() == 0 ? "" : "&").append(name)
                .append('=').append(value));
        String canonicalRequest = "GET\n/\n" + canonicalQuery + "\nhost:" + endpoint + "\n\nhost\n" + EMPTY_SHA256;
        String credentialScope = scope[1] + "/" + scope[2] + "/" + scope[3] + "/" + scope[4];
        String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + credentialScope + "\n"
                + sha256Hex(canonicalRequest);
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), scope[1]);
        key = hmac(key, scope[2]);
        key = hmac(key, scope[3]);
        key = hmac(key, scope[4]);
        String expected = HexFormat.of().formatHex(hmac(key, stringToSign));
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII)) ? Optional.empty()
                : Optional.of("a signature that does not match");
    }

    private static String decoded(String value) {
        return value == null ? null : URLDecoder.decode(value, StandardCharsets.UTF_8);
    }

    private static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
