package dev.lambdalab.testbed.lambda.snapstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the test bed runs CRIU, with a shell script standing in for the binary (the real one needs root and a
 * kernel that lets it; {@code SnapStartIT} runs that). The script sees the same arguments and environment.
 */
@EnabledOnOs(OS.LINUX)
class CriuTest {

    @TempDir
    Path directory;

    @Test
    void aDumpThatHangsIsKilledWithItsChildrenAtTheTimeoutAndSaysSo() throws Exception {
        Path images = Files.createDirectory(directory.resolve("images"));
        // As the stuck CRIU did: it never exits. Its child stands for anything it started.
        Criu criu = new Criu(script("sleep 300 & echo $! > \"$5/child.pid\"; wait"), Duration.ofSeconds(1));
        long start = System.nanoTime();

        IOException refused = assertThrows(IOException.class, () -> criu.dump(4242, images));

        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(refused.getMessage().startsWith("criu dump did not finish within 1 s and was killed"),
                "the message names the timeout: " + refused.getMessage());
        assertTrue(tookMillis < 10_000, "the dump ended at its timeout of 1 s, not later: " + tookMillis + " ms");
        long child = Long.parseLong(Files.readString(images.resolve("child.pid")).strip());
        boolean stillAlive = ProcessHandle.of(child).map(handle -> handle.onExit().completeOnTimeout(handle, 5, TimeUnit.SECONDS)
                .join().isAlive()).orElse(false);
        assertFalse(stillAlive, "the stuck CRIU's child " + child + " was killed with it");
    }

    @Test
    void dumpsAndRestoresRunWithoutHardwareBreakpoints() throws Exception {
        Path images = Files.createDirectory(directory.resolve("images"));
        Criu criu = new Criu(script("echo \"$CRIU_FAULT\" > \"$5/fault\""), Duration.ofSeconds(30));

        criu.dump(4242, images);

        assertEquals("130", Files.readString(images.resolve("fault")).strip(),
                "criu dump ran with CRIU_FAULT=130 (FI_NO_BREAKPOINTS)");
        assertEquals("130", criu.restoreProcess(images, "restore-1.log", "pipe:[1]", "pipe:[2]").environment()
                .get("CRIU_FAULT"), "criu restore runs with CRIU_FAULT=130 too");
    }

    @Test
    void aFailedDumpGivesItsExitAndTheLastErrorsOfItsLog() throws Exception {
        Path images = Files.createDirectory(directory.resolve("images"));
        Criu criu = new Criu(script("printf '(00.01) Seizing 4242\\nError (cr-dump.c:1): no such task 4242\\n'"
                + " > \"$5/dump.log\"; exit 1"), Duration.ofSeconds(30));

        IOException failed = assertThrows(IOException.class, () -> criu.dump(4242, images));

        assertEquals("criu dump failed (exit 1): Error (cr-dump.c:1): no such task 4242", failed.getMessage(),
                "the message gives CRIU's exit and its log's error lines");
    }

    /** A stand-in CRIU: {@code $1} is the action, {@code $5} the images directory, as the test bed calls it. */
    private Path script(String body) throws IOException {
        Path script = directory.resolve("criu");
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        assertTrue(script.toFile().setExecutable(true), "the stand-in CRIU is executable");
        return script;
    }
}
