package dev.lambdalab.testbed.lambda.process;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The command line and variables of one environment's JVM: what Lambda's managed Java runtime runs,
 * {@code java <flags> -cp <runtime client> AWSLambda <handler>} in the unpacked package, with only the
 * variables Lambda gives a function.
 *
 * @param runtime the runtime client
 * @param taskRoot the unpacked deployment package (Lambda's /var/task)
 * @param java the JDK that runs it, for the function's Lambda runtime
 * @param handler the handler's class
 * @param memoryMb the function's memory, which sizes the heap
 * @param profile the flags: Lambda's own, or the fast profile's
 * @param jvmOptions extra flags
 */
public record EnvironmentJvm(ProcessRuntime runtime, Path taskRoot, JavaRuntime java, String handler, int memoryMb,
        JvmProfile profile, List<String> jvmOptions) {

    /** Lambda's runtime passes it: org.crac's hooks go to the runtime client's context (see functions/pom.xml). */
    static final String CRAC_COMPAT = "-Dorg.crac.Core.Compat=com.amazonaws.services.lambda.crac";

    public EnvironmentJvm {
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(taskRoot, "taskRoot");
        Objects.requireNonNull(java, "java");
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(profile, "profile");
        jvmOptions = List.copyOf(jvmOptions);
    }


    /**
     * @param environment the function's variables
     * @param runtimeApi the value of AWS_LAMBDA_RUNTIME_API ({@code host:port})
     * @param role the environment's part in SnapStart: a snapshot source runs in a session of its own and
     *     without a performance-data file, so that CRIU can dump it
     */
    ProcessBuilder builder(Map<String, String> environment, String runtimeApi, EnvironmentRole role) {
        // Only what Lambda gives a function, not the emulator's own environment.
        Map<String, String> variables = new LinkedHashMap<>();
        String path = System.getenv("PATH");
        variables.put("PATH", path == null ? "/usr/local/bin:/usr/bin:/bin" : path);
        variables.put("LANG", "en_US.UTF-8");
        variables.put("TZ", ":UTC");
        variables.put("LAMBDA_TASK_ROOT", taskRoot.toString());
        variables.put("_HANDLER", handler);
        variables.put("AWS_LAMBDA_RUNTIME_API", runtimeApi);
        // "snap-start" makes the runtime client run the beforeCheckpoint hooks after init and then wait on
        // restore/next (AWSLambda.onInitComplete); Lambda sets "on-demand" otherwise. (For Managed Instances AWS
        // documents no value of its own, and the runtime client only tests for "snap-start": "on-demand" too.)
        variables.put("AWS_LAMBDA_INITIALIZATION_TYPE", role == EnvironmentRole.ON_DEMAND
                || role == EnvironmentRole.MANAGED_INSTANCE ? "on-demand" : "snap-start");
        variables.putAll(environment);
        // As the managed Java runtime: C1 only (faster start), serial GC, heap from the memory setting; the fast
        // profile adds a class-data sharing archive and a heap that starts small (JvmProfile).
        int maxHeapMb = Math.max(64, memoryMb * 85 / 100);
        List<String> tail = new ArrayList<>(List.of("-Djava.net.preferIPv4Stack=true", CRAC_COMPAT,
                runtime.jniOption()));
        if (java.feature() >= 22) {
            // The runtime client loads its JNI library with System.load, which JDK 22 and later warn about on every
            // start (JEP 472) unless native access is granted: four lines of the runtime's, not the function's, in
            // every environment's log.
            tail.add(0, "--enable-native-access=ALL-UNNAMED");
        }
        boolean source = role == EnvironmentRole.SNAPSHOT_SOURCE;
        if (source) {
            // No hsperfdata file: CRIU would restore its mapping by path, and every copy would share it.
            tail.add("-XX:-UsePerfData");
        }
        tail.addAll(jvmOptions);
        tail.addAll(List.of("-cp", runtime.classPath(), ProcessRuntime.MAIN_CLASS, handler));
        Optional<Path> archive = Optional.empty();
        if (profile == JvmProfile.FAST) {
            List<String> training = new ArrayList<>(List.of(java.java().toString()));
            training.addAll(profile.flags(maxHeapMb, Optional.empty(), java.feature()));
            training.addAll(tail);
            archive = AppCdsArchive.forHandler(this, training, variables);
        }
        List<String> command = new ArrayList<>();
        if (source) {
            command.add("setsid"); // a session of its own, which CRIU can dump whole
        }
        command.add(java.java().toString());
        command.addAll(profile.flags(maxHeapMb, archive, java.feature()));
        command.addAll(tail);
        ProcessBuilder builder = new ProcessBuilder(command).directory(taskRoot.toFile());
        if (source) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        builder.environment().clear();
        builder.environment().putAll(variables);
        return builder;
    }
}
