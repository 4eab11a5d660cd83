package dev.lambdalab.testbed.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Searches text that leaves a function or the test bed (log lines, answers, reports, the console) for the
 * secrets a test used, and for what signed AWS tokens and URLs look like when nothing masked them.
 */
public final class SecretScan {

    /** Unmasked shapes: an RDS IAM token's signature, a URL with a password, a password= pair. */
    private static final List<Pattern> SHAPES = List.of(
            Pattern.compile("X-Amz-Signature=[0-9a-f]{8}"),
            Pattern.compile("X-Amz-Security-Token=(?!\\*\\*\\*\\*)[^&\\s\"]+"),
            Pattern.compile("://[^:/@\\s\"]+:(?!\\*\\*\\*\\*@)[^@\\s\"/]+@"),
            Pattern.compile("(?i)\\bpassword\\s*[=:]\\s*(?!\\*\\*\\*\\*)[^\\s&,;\"'}]{4,}"));

    private final Map<String, String> sources = new LinkedHashMap<>();

    /** Adds text to search, under a name the failure message will use. */
    public SecretScan add(String source, String text) {
        sources.merge(source, text == null ? "" : text, (a, b) -> a + "\n" + b);
        return this;
    }

    public SecretScan add(String source, Collection<String> lines) {
        return add(source, String.join("\n", lines));
    }

    /** Asserts no source holds any of the secrets or an unmasked shape, naming the source and a snippet. */
    public void assertNoneOf(Collection<String> secrets) {
        List<String> leaks = new ArrayList<>();
        for (Map.Entry<String, String> source : sources.entrySet()) {
            String text = source.getValue();
            for (String secret : secrets) {
                if (secret != null && secret.length() >= 4) {
                    int at = text.indexOf(secret);
                    if (at >= 0) {
                        leaks.add(source.getKey() + ": a secret of length " + secret.length() + " near \""
                                + snippet(text, at).replace(secret, "<SECRET>") + "\"");
                    }
                }
            }
            for (Pattern shape : SHAPES) {
                Matcher matcher = shape.matcher(text);
                if (matcher.find()) {
                    leaks.add(source.getKey() + ": unmasked " + shape.pattern() + " near \"" + snippet(text, matcher.start())
                            + "\"");
                }
            }
        }
        assertThat(leaks).as("secrets in %s (%d characters searched)", sources.keySet(), totalLength()).isEmpty();
    }

    private int totalLength() {
        return sources.values().stream().mapToInt(String::length).sum();
    }

    private static String snippet(String text, int at) {
        return text.substring(Math.max(0, at - 60), Math.min(text.length(), at + 60)).replace('\n', ' ');
    }
}
