package dev.lambdalab.testbed.watchdog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which directories the next test bed sweeps, and that it stops what still serves from them. */
class LeftoversTest {

    @TempDir
    Path temp;

    @Test
    void aDirectoryOfThisLiveJvmIsLeftAlone() throws Exception {
        Path mine = Files.createDirectory(temp.resolve("epg-mine"));
        Leftovers.claim(mine);

        assertThat(Leftovers.sweep(temp)).as("swept").isEmpty();
        assertThat(mine).as("a directory whose owner runs").exists();
    }

    @Test
    void aDirectoryWithoutAnOwnerFileIsNeverTouched() throws Exception {
        Path foreign = Files.createDirectory(temp.resolve("epg-someone-elses"));

        assertThat(Leftovers.sweep(temp)).as("swept").isEmpty();
        assertThat(foreign).as("a directory the test bed did not mark").exists();
    }

    @Test
    void aReusedPidDoesNotPassForTheOwner() throws Exception {
        Path directory = Files.createDirectory(temp.resolve("testbed-pgbouncer-reused"));
        // this JVM's pid, but another start time: the owner died and its pid was given to another process
        Files.writeString(directory.resolve(Leftovers.OWNER_FILE),
                "pid=" + ProcessHandle.current().pid() + " start=2001-01-01T00:00:00Z\n");

        assertThat(Leftovers.ownerIsGone(directory)).as("owner gone").isTrue();
    }

    @Test
    void aHalfWrittenOwnerFileIsNotTakenAsProofOfALeftover() throws Exception {
        Path directory = Files.createDirectory(temp.resolve("epg-half"));
        Files.writeString(directory.resolve(Leftovers.OWNER_FILE), "pid=");

        assertThat(Leftovers.ownerIsGone(directory)).as("owner gone").isFalse();
        assertThat(Leftovers.sweep(temp)).as("swept").isEmpty();
    }

    @Test
    void aLeftoverIsDeletedAndTheProcessServingFromItIsStopped() throws Exception {
        Path directory = Files.createDirectory(temp.resolve("testbed-pgbouncer-dead"));
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor(10, TimeUnit.SECONDS);
        Files.writeString(directory.resolve(Leftovers.OWNER_FILE), "pid=" + dead.pid() + " start=-\n");
        // stands in for PgBouncer: a process whose command line names the directory
        Process server = new ProcessBuilder("sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done",
                directory.resolve("pgbouncer.ini").toString())
                .start();

        var swept = Leftovers.sweep(temp);

        assertThat(swept).as("swept").hasSize(1);
        assertThat(swept.get(0).stoppedPids()).as("processes stopped").containsExactly(server.pid());
        assertThat(server.waitFor(Leftovers.GRACE.toSeconds() + 5, TimeUnit.SECONDS)).as("the server ended").isTrue();
        assertThat(directory).as("the leftover directory").doesNotExist();
    }
}
