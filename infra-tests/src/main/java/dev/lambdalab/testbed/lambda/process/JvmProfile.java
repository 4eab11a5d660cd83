package dev.lambdalab.testbed.lambda.process;

import dev.lambdalab.testbed.label.Labelled;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The JVM flags of a process environment. Both start the JVM as Lambda's managed Java 17/21 runtimes do: C1
 * only ({@code -XX:TieredStopAtLevel=1}), the serial collector, the heap from the memory setting ("Customize
 * Java runtime startup behavior", AWS Lambda documentation). {@link #FAST} adds what makes the emulator's
 * environments cheap without changing what the function sees.
 */
public enum JvmProfile implements Labelled {

    /**
     * The managed runtime's flags, plus: an application class-data sharing archive of the runtime client, the
     * function and its libraries ({@link AppCdsArchive}), so classes are mapped instead of parsed and verified
     * (and their pages shared between environments); no performance-data file ({@code -XX:-UsePerfData}); a heap
     * that starts small ({@code -Xms16m}) and grows to the same maximum.
     */
    FAST,

    /**
     * The managed runtime's flags and nothing else, so that Init Duration compares with AWS's.
     */
    LAMBDA;

    /** The variable that picks the profile when no flag does: {@code TESTBED_JVM_PROFILE}. */
    public static final String VARIABLE = "TESTBED_JVM_PROFILE";

    /** The name flags and reports use: {@code fast}, {@code lambda}. */
    @Override
    public String label() {
        return Labelled.of(this);
    }

    /**
     * The profile with this label.
     *
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    public static JvmProfile fromLabel(String label) {
        return Labelled.parse(JvmProfile.class, "JVM profile", label);
    }

    /** {@value #VARIABLE} if set, else {@link #FAST}. */
    public static JvmProfile fromEnvironment() {
        String value = System.getenv(VARIABLE);
        return value == null || value.isBlank() ? FAST : fromLabel(value);
    }

    /** The flags before the emulator's and the function's own, for a heap of {@code maxHeapMb}, on a JDK {@code feature}. */
    List<String> flags(int maxHeapMb, Optional<Path> archive, int feature) {
        List<String> flags = new ArrayList<>(List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-Xshare:auto", "-Xmx" + maxHeapMb + "m"));
        if (this == FAST) {
            if (AppCdsArchive.aheadOfTime(feature)) {
                flags.remove("-Xshare:auto"); // refused beside the AOT cache's flags, whose own default is "auto"
            }
            flags.addAll(List.of("-XX:-UsePerfData", "-Xms16m"));
            // Map the JDK's and the function's archives at the address they were made for. The JDK's default since
            // 17.0.x (JDK-8294323) maps them elsewhere and rewrites every pointer in them: each environment then
            // holds a private, dirty copy of some 20 MB that would otherwise be shared by all of them, and spends
            // the time to rewrite it. A diagnostic flag in JDK 17 to 25.
            flags.addAll(List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0"));
            archive.ifPresent(file -> flags.add(AppCdsArchive.useFlag(file, feature)));
        }
        return flags;
    }
}
