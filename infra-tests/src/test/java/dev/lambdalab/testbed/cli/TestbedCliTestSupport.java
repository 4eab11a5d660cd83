package dev.lambdalab.testbed.cli;

/** Runs the CLI in-process for tests in other packages. */
public final class TestbedCliTestSupport {

    /** A run's exit code and output. */
    public record Run(int exitCode, String out, String err) {
    }

    private TestbedCliTestSupport() {
    }

    public static Run run(String... args) {
        TestbedCliTest.Run run = TestbedCliTest.run(args);
        return new Run(run.exitCode(), run.out(), run.err());
    }
}
