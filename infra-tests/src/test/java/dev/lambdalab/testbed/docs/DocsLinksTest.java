package dev.lambdalab.testbed.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README is the front door and docs/ holds the rest: every relative link between them (and to the
 * repository's files) must lead somewhere, down to the heading it names.
 */
class DocsLinksTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6} (.+)$");

    @Test
    void everyRelativeLinkLeadsToAFileAndEveryAnchorToAHeading() throws IOException {
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path file : pages()) {
            for (String target : links(file)) {
                if (target.matches("^[a-z]+:.*")) {
                    continue; // https:, mailto:
                }
                checked++;
                int hash = target.indexOf('#');
                String path = hash < 0 ? target : target.substring(0, hash);
                String fragment = hash < 0 ? null : target.substring(hash + 1);
                Path resolved = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(ROOT.relativize(file) + ": " + target + " (no such file)");
                } else if (fragment != null && resolved.toString().endsWith(".md")
                        && !anchors(resolved).contains(fragment)) {
                    broken.add(ROOT.relativize(file) + ": " + target + " (no such heading in "
                            + ROOT.relativize(resolved) + ")");
                }
            }
        }
        assertThat(checked).as("relative links found").isGreaterThan(30);
        assertThat(broken).as("broken links").isEmpty();
    }

    @Test
    void theReadmeIsAFrontDoorAndEveryPageSaysWhatItIsFor() throws IOException {
        assertThat(Files.readAllLines(ROOT.resolve("README.md"))).as("README.md lines").hasSizeLessThanOrEqualTo(200);
        for (Path page : pages()) {
            if (!page.getParent().equals(ROOT.resolve("docs"))) {
                continue;
            }
            List<String> lines = Files.readAllLines(page);
            assertThat(lines.get(0)).as("%s starts with its title", page.getFileName()).startsWith("# ");
            assertThat(lines.get(2)).as("%s says what it is for, then links back", page.getFileName())
                    .isNotBlank().contains("README.md");
            assertThat(Files.readString(ROOT.resolve("README.md"))).as("the README links to %s", page.getFileName())
                    .contains("docs/" + page.getFileName());
        }
    }

    private static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("CONTRIBUTING.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        assertThat(pages).as("docs/ has its pages").hasSizeGreaterThan(10);
        return pages;
    }

    /** The link targets of a page, outside fenced code. */
    private static List<String> links(Path file) throws IOException {
        List<String> targets = new ArrayList<>();
        for (String line : prose(file)) {
            Matcher matcher = LINK.matcher(line);
            while (matcher.find()) {
                targets.add(matcher.group(1));
            }
        }
        return targets;
    }

    /** GitHub's anchors of a page's headings: lower case, punctuation dropped, spaces to hyphens. */
    static Set<String> anchors(Path file) throws IOException {
        Set<String> anchors = new LinkedHashSet<>();
        for (String line : prose(file)) {
            Matcher matcher = HEADING.matcher(line);
            if (matcher.matches()) {
                anchors.add(anchor(matcher.group(1)));
            }
        }
        return anchors;
    }

    static String anchor(String heading) {
        return heading.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}_\\- ]", "").replace(' ', '-');
    }

    private static List<String> prose(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        boolean fenced = false;
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("```")) {
                fenced = !fenced;
            } else if (!fenced) {
                lines.add(line);
            }
        }
        return lines;
    }
}
