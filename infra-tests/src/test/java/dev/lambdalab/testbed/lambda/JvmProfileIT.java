package dev.lambdalab.testbed.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdalab.testbed.load.HttpApiEvents;
import dev.lambdalab.testbed.scenario.TestBed;
import dev.lambdalab.testbed.scenario.Variant;
import dev.lambdalab.testbed.support.LabExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The two JVM profiles of process environments: the fast one maps the function's class-data sharing archive,
 * the lambda one runs with the managed runtime's flags only. Both answer like any environment.
 */
@ExtendWith(LabExtension.class)
class JvmProfileIT {

    private TestBed testBed;

    @BeforeEach
    void processIsolation(TestBed testBed) {
        LabExtension.assumeProcessIsolation();
        this.testBed = testBed.withIsolation(Isolation.PROCESS);
        testBed.resetConnections();
    }

    @AfterEach
    void backToClassLoaders() {
        if (testBed != null) {
            testBed.withIsolation(Isolation.CLASSLOADER);
            testBed.resetConnections();
        }
    }

    @Test
    void theFastProfileMapsTheFunctionsClassDataArchiveAndTheLambdaProfileDoesNot() throws Exception {
        String fastCommand;
        String fastMaps;
        try (EmulatedFunction fixed = testBed.function(Variant.FIXED, testBed.environment(null, Map.of()))
                .withJvmProfile(JvmProfile.FAST)) {
            assertThat(fixed.invoke(HttpApiEvents.get("/fixed", 0)).succeeded()).as("fast: a request").isTrue();
            long pid = fixed.environments().get(0).processId();
            fastCommand = ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).orElse("");
            fastMaps = Files.readString(Path.of("/proc", Long.toString(pid), "maps"));
        }
        assertThat(fastCommand).as("the fast profile's command line").contains("-XX:SharedArchiveFile=", "-Xms16m",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
        assertThat(fastMaps).as("the archive mapped into the environment's JVM").contains("/cds/appcds-");

        try (EmulatedFunction fixed = testBed.function(Variant.FIXED, testBed.environment(null, Map.of()))
                .withJvmProfile(JvmProfile.LAMBDA)) {
            assertThat(fixed.invoke(HttpApiEvents.get("/fixed", 0)).succeeded()).as("lambda: a request").isTrue();
            long pid = fixed.environments().get(0).processId();
            String command = ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).orElse("");
            assertThat(command).as("the lambda profile's command line").contains("-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC").doesNotContain("SharedArchiveFile", "-Xms16m", "UsePerfData");
        }
    }
}
