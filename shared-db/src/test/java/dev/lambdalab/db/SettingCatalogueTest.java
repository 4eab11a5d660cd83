package dev.lambdalab.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
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
    void everyDefaultParsesIntoTheTypeItsConstraintPromises() {
        assertThat(Setting.values()).filteredOn(s -> s.defaultValue() != null).allSatisfy(s ->
                assertThat(s.constraint().parse(s.defaultValue())).as(s.variable() + "'s default")
                        .isInstanceOf(s.constraint().valueType()));
    }

    @Test
    void aTypedReadThatDoesNotFitTheSettingNamesBoth() {
        Map<Setting, Object> values = Map.of(Setting.POOL_MAX_SIZE, 1, Setting.DB_SSLMODE, "require");

        assertThat(Setting.POOL_MAX_SIZE.getInt(values)).isEqualTo(1);
        assertThat(Setting.DB_SSLMODE.getString(values)).contains("require");
        assertThat(Setting.DB_HOST.getString(values)).as("an unset text setting").isEmpty();
        assertThatThrownBy(() -> Setting.DB_SSLMODE.getInt(values)).isInstanceOf(IllegalStateException.class)
                .hasMessage("DB_SSLMODE holds String values (one of disable, allow, prefer, require, verify-ca,"
                        + " verify-full), not Integer");
        assertThatThrownBy(() -> Setting.POOL_MIN_IDLE.getInt(values)).isInstanceOf(IllegalStateException.class)
                .hasMessage("POOL_MIN_IDLE has no value and no default");
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
