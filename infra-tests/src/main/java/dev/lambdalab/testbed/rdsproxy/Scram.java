package dev.lambdalab.testbed.rdsproxy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * SCRAM-SHA-256 (RFC 5802 with RFC 7677's hash), as PostgreSQL speaks it ("SASL Authentication" in the
 * manual): the server side, for clients logging in to the emulator, and the client side, for the
 * emulator logging in to PostgreSQL. No channel binding: the emulator offers only SCRAM-SHA-256, so
 * clients send the gs2 header {@code n,,} or {@code y,,}. Passwords are used as given (no SASLprep), which
 * is exact for the ASCII passwords of the lab and of Secrets Manager's generator.
 */
final class Scram {

    static final String MECHANISM = "SCRAM-SHA-256";
    static final int ITERATIONS = 4096;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Scram() {
    }

    /** What the server keeps of a password: salt, iterations and the two keys (PostgreSQL's "SCRAM secret"). */
    record Verifier(byte[] salt, int iterations, byte[] storedKey, byte[] serverKey) {

        static Verifier of(String password) {
            byte[] salt = new byte[16];
            RANDOM.nextBytes(salt);
            byte[] salted = saltedPassword(password, salt, ITERATIONS);
            return new Verifier(salt, ITERATIONS, sha256(hmac(salted, "Client Key")), hmac(salted, "Server Key"));
        }
    }

    /** One server-side exchange: client-first, server-first, client-final, server-final. */
    static final class ServerExchange {
        private final Verifier verifier;
        private String clientFirstBare;
        private String serverFirst;
        private String nonce;

        ServerExchange(Verifier verifier) {
            this.verifier = verifier;
        }

        /** Answers the client-first message with the server-first message. */
        String serverFirst(String clientFirst) {
            if (!clientFirst.startsWith("n,") && !clientFirst.startsWith("y,")) {
                throw new AuthenticationException("channel binding is not offered by this proxy");
            }
            int bare = clientFirst.indexOf(',', 2);
            clientFirstBare = clientFirst.substring(bare + 1);
            String clientNonce = attributes(clientFirstBare).get("r");
            if (clientNonce == null || clientNonce.isEmpty()) {
                throw new AuthenticationException("the client-first message has no nonce");
            }
            nonce = clientNonce + randomNonce();
            serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(verifier.salt()) + ",i="
                    + verifier.iterations();
            return serverFirst;
        }

        /**
         * Checks the client's proof and returns the server-final message.
         *
         * @throws AuthenticationException when the proof is wrong (a wrong password)
         */
        String serverFinal(String clientFinal) {
            int proofAt = clientFinal.lastIndexOf(",p=");
            if (proofAt < 0) {
                throw new AuthenticationException("the client-final message has no proof");
            }
            String withoutProof = clientFinal.substring(0, proofAt);
            Map<String, String> attributes = attributes(withoutProof);
            if (!nonce.equals(attributes.get("r"))) {
                throw new AuthenticationException("the client-final message has the wrong nonce");
            }
            byte[] proof = Base64.getDecoder().decode(clientFinal.substring(proofAt + 3));
            String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
            byte[] clientSignature = hmac(verifier.storedKey(), authMessage);
            if (proof.length != clientSignature.length) {
                throw new AuthenticationException("wrong password");
            }
            byte[] clientKey = xor(proof, clientSignature);
            if (!MessageDigest.isEqual(sha256(clientKey), verifier.storedKey())) {
                throw new AuthenticationException("wrong password");
            }
            return "v=" + Base64.getEncoder().encodeToString(hmac(verifier.serverKey(), authMessage));
        }
    }

    /** One client-side exchange, for the emulator's own logins to PostgreSQL. */
    static final class ClientExchange {
        private final String password;
        private final String clientNonce = randomNonce();
        private String clientFirstBare;
        private byte[] serverSignature;

        ClientExchange(String password) {
            this.password = password;
        }

        String clientFirst() {
            clientFirstBare = "n=,r=" + clientNonce; // PostgreSQL takes the user from the startup packet
            return "n,," + clientFirstBare;
        }

        String clientFinal(String serverFirst) {
            Map<String, String> attributes = attributes(serverFirst);
            String nonce = attributes.get("r");
            if (nonce == null || !nonce.startsWith(clientNonce)) {
                throw new AuthenticationException("the server's nonce does not extend the client's");
            }
            byte[] salt = Base64.getDecoder().decode(attributes.get("s"));
            int iterations = Integer.parseInt(attributes.get("i"));
            byte[] salted = saltedPassword(password, salt, iterations);
            String withoutProof = "c=biws,r=" + nonce; // biws = base64("n,,")
            String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
            byte[] clientKey = hmac(salted, "Client Key");
            byte[] proof = xor(clientKey, hmac(sha256(clientKey), authMessage));
            serverSignature = hmac(hmac(salted, "Server Key"), authMessage);
            return withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof);
        }

        /** Checks the server's signature, so that a server that does not know the password is not trusted. */
        void verify(String serverFinal) {
            String signature = attributes(serverFinal).get("v");
            if (signature == null || !MessageDigest.isEqual(Base64.getDecoder().decode(signature), serverSignature)) {
                throw new AuthenticationException("the server's SCRAM signature is wrong");
            }
        }
    }

    /** A failed SCRAM exchange; the message never contains the password. */
    static final class AuthenticationException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        AuthenticationException(String message) {
            super(message);
        }
    }

    static Map<String, String> attributes(String message) {
        Map<String, String> attributes = new LinkedHashMap<>();
        for (String part : message.split(",")) {
            if (part.length() >= 2 && part.charAt(1) == '=') {
                attributes.put(part.substring(0, 1), part.substring(2));
            }
        }
        return attributes;
    }

    private static String randomNonce() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    static byte[] saltedPassword(String password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
        }
    }

    static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static byte[] xor(byte[] a, byte[] b) {
        byte[] result = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            result[i] = (byte) (a[i] ^ b[i]);
        }
        return result;
    }
}
