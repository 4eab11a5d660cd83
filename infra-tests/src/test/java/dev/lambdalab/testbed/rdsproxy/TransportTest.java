package dev.lambdalab.testbed.rdsproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class TransportTest {

    @Test
    void unsetChoosesTheFirstAvailableInOrderOfSpeed() {
        Transport chosen = Transport.choose(null);
        assertTrue(chosen.available(), "the chosen transport loads here: " + chosen);
        for (Transport faster : Transport.values()) {
            if (faster == chosen) {
                break;
            }
            assertFalse(faster.available(), faster + " comes before " + chosen + " and would have been chosen");
        }
        assertEquals(chosen, Transport.choose("  "), "a blank value is unset");
    }

    @Test
    @EnabledOnOs(value = OS.LINUX, architectures = {"amd64", "aarch64"})
    void linuxOnX86OrArmGetsANativeTransport() {
        assertNotEquals(Transport.NIO, Transport.choose(null),
                "io_uring or epoll should load on Linux x86-64/ARM64; epoll: "
                        + Transport.EPOLL.unavailabilityCause().map(Throwable::toString).orElse("available"));
    }

    @Test
    void theJdksSelectorCanAlwaysBeChosenByName() {
        assertEquals(Transport.NIO, Transport.choose("NIO"), "labels ignore case");
    }

    @Test
    void anUnknownNameIsRefusedWithTheVariableTheValueAndTheChoices() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> Transport.choose("kqueue"));
        assertEquals("TESTBED_PROXY_TRANSPORT must be io_uring, epoll or nio, got \"kqueue\"", refused.getMessage());
    }
}
