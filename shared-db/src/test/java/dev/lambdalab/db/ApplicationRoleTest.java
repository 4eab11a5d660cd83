package dev.lambdalab.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The names ApplicationRole puts into SQL are checked before any connection is used: they are interpolated (roles
 * and databases cannot be bind parameters). What it does to a real PostgreSQL is in infra-tests'
 * ApplicationRoleResourceIT, and in every test bed run, whose lab database sets its role up through it.
 */
class ApplicationRoleTest {

    @Test
    void aLowerCaseIdentifierIsTakenAndAnythingThatCouldLeaveTheQuotesIsRefused() {
        assertThat(ApplicationRole.of("app", "lab").withConnectionLimit(10)).as("app on lab, limit 10")
                .hasToString("ApplicationRole{app on lab, connection limit 10}");
        assertThatThrownBy(() -> ApplicationRole.of("app\"; DROP ROLE postgres; --", "lab")).as("a quote in the name")
                .hasMessageStartingWith("role name must be a lower-case identifier")
                .hasMessageEndingWith("got \"app\"; DROP ROLE postgres; --\"");
        assertThatThrownBy(() -> ApplicationRole.of("App", "lab")).as("upper case")
                .hasMessageContaining("got \"App\"");
        assertThatThrownBy(() -> ApplicationRole.of("app", "lab-db")).as("a dash in the database")
                .hasMessageStartingWith("database name must be a lower-case identifier");
        assertThatThrownBy(() -> ApplicationRole.of("a".repeat(64), "lab")).as("64 characters")
                .hasMessageContaining("at most 63");
        assertThatThrownBy(() -> ApplicationRole.of("app", "lab").withConnectionLimit(0)).as("limit 0")
                .hasMessage("connection limit must be at least 1, got 0");
    }

    @Test
    void anEmptyPasswordIsRefusedBeforeTheConnectionIsTouched() {
        assertThatThrownBy(() -> ApplicationRole.of("app", "lab").ensure(null, new char[0])).as("an empty password")
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the password of role app must not be empty");
    }
}
