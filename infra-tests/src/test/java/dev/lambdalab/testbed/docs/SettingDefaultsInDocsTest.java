package dev.lambdalab.testbed.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdalab.db.Setting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No page states a setting's default other than the catalogue's: wherever the README or a doc page writes
 * "`SETTING` ... default ... value" on one line, the value is {@link Setting}'s. (docs/settings.md's table is generated
 * from the catalogue and checked by SettingCatalogueTest; this guards the prose around it and the other pages.)
 */
class SettingDefaultsInDocsTest {

    private static final Path ROOT = Path.of("..");

    @Test
    void everyDefaultADocStatesIsTheCataloguesDefault() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("CONTRIBUTING.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(page -> page.toString().endsWith(".md")).forEach(pages::add);
        }
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (Setting setting : Setting.values()) {
            if (setting.defaultValue() == null) {
                continue;
            }
            Pattern stated = Pattern.compile("`" + setting.name() + "`[^|\\n]{0,60}?\\bdefault(?:s to| is|:)? *`?\"?"
                    + "([A-Za-z0-9.-]+)");
            for (Path page : pages) {
                List<String> lines = Files.readAllLines(page);
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).startsWith("| `" + setting.name() + "` |")) {
                        continue; // the generated table's own row
                    }
                    Matcher matcher = stated.matcher(lines.get(i));
                    while (matcher.find()) {
                        checked++;
                        if (!matcher.group(1).equals(setting.defaultValue())) {
                            wrong.add(ROOT.relativize(page) + ":" + (i + 1) + ": " + setting.name() + " default "
                                    + matcher.group(1) + ", the catalogue's is " + setting.defaultValue());
                        }
                    }
                }
            }
        }
        assertThat(wrong).as("defaults stated in the docs, %d checked", checked).isEmpty();
    }
}
