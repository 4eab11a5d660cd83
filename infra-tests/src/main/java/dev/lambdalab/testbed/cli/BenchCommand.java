package dev.lambdalab.testbed.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code testbed bench}: placeholder replaced by the benchmark commands. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks of the emulator and the fixed path.")
final class BenchCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        return 0;
    }
}
