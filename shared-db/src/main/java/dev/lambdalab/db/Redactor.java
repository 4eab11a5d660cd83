package dev.lambdalab.db;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Pattern;

/**
 * Masks secrets in text that leaves the process: error bodies, log lines, reports. It knows the
 * passwords and tokens this environment has handled (they register themselves when read) and the
 * shapes secrets take in URLs and signed tokens, so a driver message that quotes a URL or a token is
 * masked too.
 */
public final class Redactor {

    private static final String MASK = "****";
    private static final int MAX_REMEMBERED = 32;
    private static final Deque<String> SECRETS = new ArrayDeque<>();
    private static final Pattern URL_PASSWORD = Pattern.compile("(://[^:/@\\s]+:)[^@\\s]+@");
    private static final Pattern KEY_VALUE_SECRET = Pattern.compile(
            "(?i)((?:password|passwd|pwd|sslpassword|X-Amz-Signature|X-Amz-Security-Token|X-Amz-Credential)"
                    + "\\s*[=:]\\s*)[^&\\s,;\"'}]+");

    private Redactor() {
    }

    /** Remembers a secret so that {@link #redact(String)} masks it wherever it appears. */
    public static void register(String secret) {
        if (secret == null || secret.length() < 4) {
            return; // masking very short strings would mangle ordinary text
        }
        synchronized (SECRETS) {
            if (!SECRETS.contains(secret)) {
                if (SECRETS.size() == MAX_REMEMBERED) {
                    SECRETS.removeFirst();
                }
                SECRETS.addLast(secret);
            }
        }
    }

    /** The text with every known secret and every password-shaped value replaced by {@code ****}. */
    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String result = text;
        synchronized (SECRETS) {
            for (String secret : SECRETS) {
                result = result.replace(secret, MASK);
            }
        }
        result = URL_PASSWORD.matcher(result).replaceAll("$1" + MASK + "@");
        return KEY_VALUE_SECRET.matcher(result).replaceAll("$1" + MASK);
    }
}
