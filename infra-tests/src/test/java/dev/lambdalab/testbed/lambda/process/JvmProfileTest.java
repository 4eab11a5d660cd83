package dev.lambdalab.testbed.lambda.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The flags each JVM profile gives a process environment. */
class JvmProfileTest {

    @Test
    void bothProfilesStartTheJvmAsTheManagedRuntimeDoes() {
        for (JvmProfile profile : JvmProfile.values()) {
            assertThat(profile.flags(870, Optional.empty(), 17)).as("%s", profile).contains("-XX:+TieredCompilation",
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx870m");
        }
    }

    @Test
    void onlyTheFastProfileAddsTheArchiveASmallInitialHeapAndNoPerfData() {
        Path archive = Path.of("/tmp/appcds-test.jsa");

        assertThat(JvmProfile.FAST.flags(870, Optional.of(archive), 17)).contains(AppCdsArchive.useFlag(archive, 17),
                "-Xms16m", "-XX:-UsePerfData", "-XX:ArchiveRelocationMode=0");
        assertThat(JvmProfile.LAMBDA.flags(870, Optional.of(archive), 17)).noneMatch(flag -> flag.contains("Shared")
                || flag.contains("AOTCache") || flag.startsWith("-Xms") || flag.contains("PerfData")
                || flag.contains("ArchiveRelocationMode"));
    }

    @Test
    void onJdk25TheFastProfileMapsTheAheadOfTimeCacheInsteadOfADynamicArchive() {
        Path cache = Path.of("/tmp/appcds-test.aot");

        assertThat(JvmProfile.FAST.flags(870, Optional.of(cache), 25)).contains("-XX:AOTCache=" + cache)
                .doesNotContain("-Xshare:auto");
        assertThat(JvmProfile.FAST.flags(870, Optional.of(cache), 21)).contains("-XX:SharedArchiveFile=" + cache);
    }

    @Test
    void aProfileIsNamedByItsLabelAndABadOneIsRefusedWithTheAllowedOnes() {
        assertThat(JvmProfile.fromLabel(" Lambda ")).isEqualTo(JvmProfile.LAMBDA);
        assertThatThrownBy(() -> JvmProfile.fromLabel("slow"))
                .hasMessage("JVM profile must be fast or lambda, got \"slow\"");
    }
}
