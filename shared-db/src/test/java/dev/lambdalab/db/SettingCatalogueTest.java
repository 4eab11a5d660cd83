package dev.lambdalab.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Checks the catalogue itself, as pgjdbc checks PGProperty: names, descriptions, and the copy in docs/settings.md. */
class SettingCatalogueTest {

    private static final String BEGIN = "<!-- settings-table:begin (generated from Setting.markdownTable(); SettingCatalogueTest keeps it equal) -->";
    private static final String END = "<!-- settings-table:end -->";

    @Test
    void variableNamesAreUniqueEvenIgnoringCase() {
        assertThat(Arrays.stream(Setting.values()).map(s -> s.variable().toUpperCase(Locale.ROOT)))
                .doesNotHaveDuplicates();
    }

    @Test
    void variableNamesAreUpperSnakeCase() {
        assertThat(Setting.values()).allSatisfy(s -> assertThat(s.variable()).matches("[A-Z][A-Z0-9_]*"));
    }

    @Test
    void everySettingHasASentenceOfDescription() {
        assertThat(Setting.values()).allSatisfy(s -> assertThat(s.description())
                .as("description of %s", s).hasSizeGreaterThan(20).endsWith("."));
    }

    @Test
    void settingsThatCanHoldSecretsHaveNoDefault() {
        assertThat(Setting.values()).filteredOn(Setting::isSensitive)
                .allSatisfy(s -> assertThat(s.defaultValue()).as("default of %s", s).isNull());
    }

    @Test
    void theSettingsPageCarriesTheGeneratedSettingsTable() throws IOException {
        String readme = Files.readString(Path.of("..", "docs", "settings.md"));
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);

        assertThat(begin).as("docs/settings.md must contain the line %s", BEGIN).isNotNegative();
        assertThat(end).as("docs/settings.md must contain the line %s", END).isGreaterThan(begin);
        String table = readme.substring(begin + BEGIN.length(), end).strip() + "\n";
        assertThat(table).as("docs/settings.md's table; replace it with Setting.markdownTable()")
                .isEqualTo(Setting.markdownTable());
    }
}
