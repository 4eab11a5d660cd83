package dev.lambdalab.testbed.cli;

import dev.lambdalab.functions.http.ProbeRequest;
import dev.lambdalab.testbed.stack.StackCheck;
import dev.lambdalab.testbed.stack.StackCheck.Assumptions;
import dev.lambdalab.testbed.stack.StackCheck.Finding;
import dev.lambdalab.testbed.stack.StackTemplate;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code testbed check}: the pre-deploy check of template.yaml's connection budget and timeouts. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Checks a SAM template before it is deployed: the connection budget (environments x pool size"
                + " against the proxy's and the database's connections), the pool size of Lambda Managed Instances"
                + " functions (their threads share it), the order of the timeouts, settings that pin behind RDS Proxy,"
                + " and reserved concurrency the account can give. Prints a table; exits 1 on a violation (a warning"
                + " does not fail it).", "It reads the template with its parameters' defaults, or the values of --parameter."})
final class CheckCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "TEMPLATE", defaultValue = "template.yaml",
            description = "The SAM template (default: ${DEFAULT-VALUE}).")
    private Path template;

    @Option(names = "--parameter", paramLabel = "KEY=VALUE",
            description = "A template parameter's value, as sam deploy --parameter-overrides gives it (repeatable).")
    private List<String> parameters = new ArrayList<>();

    @Option(names = "--account-concurrency", paramLabel = "N", defaultValue = "" + StackCheck.DEFAULT_ACCOUNT_CONCURRENCY,
            description = "The account's Lambda concurrency quota: aws lambda get-account-settings --query"
                    + " AccountLimit.ConcurrentExecutions (1..1000000, default: ${DEFAULT-VALUE}).")
    private int accountConcurrency;

    @Option(names = "--longest-query-ms", paramLabel = "MS", defaultValue = "" + ProbeRequest.MAX_HOLD_MS,
            description = "The longest a query may run (0..900000; default: ${DEFAULT-VALUE}, the handlers' largest"
                    + " holdMs).")
    private int longestQueryMillis;

    @Option(names = "--hold-share", paramLabel = "SHARE", defaultValue = "1",
            description = "The share of a request's time it holds its database connection, for the pool size of a"
                    + " function on Lambda Managed Instances by Little's law (above 0, at most 1; default: ${DEFAULT-VALUE},"
                    + " the whole request, as the handlers here hold it).")
    private double holdShare;

    @Override
    public Integer call() throws Exception {
        TestBedOptions.require(spec, holdShare > 0 && holdShare <= 1, "--hold-share must be above 0 and at most 1, got "
                + holdShare);
        TestBedOptions.require(spec, accountConcurrency >= 1 && accountConcurrency <= 1_000_000,
                "--account-concurrency must be from 1 to 1000000, got " + accountConcurrency);
        TestBedOptions.require(spec, longestQueryMillis >= 0 && longestQueryMillis <= 900_000,
                "--longest-query-ms must be from 0 to 900000, got " + longestQueryMillis);
        TestBedOptions.require(spec, Files.isRegularFile(template), "TEMPLATE " + template + " does not exist");
        StackTemplate stack = StackTemplate.load(template);
        for (String parameter : parameters) {
            int eq = parameter.indexOf('=');
            TestBedOptions.require(spec, eq > 0, "--parameter must be KEY=VALUE, got \"" + parameter + "\"");
            try {
                stack = stack.withParameter(parameter.substring(0, eq), parameter.substring(eq + 1));
            } catch (IllegalArgumentException e) {
                TestBedOptions.require(spec, false, "--parameter: " + e.getMessage());
            }
        }
        List<Finding> findings = new StackCheck(stack, new Assumptions(accountConcurrency, longestQueryMillis,
                holdShare)).run();
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%s, account concurrency quota %d, longest query %d ms%n", template, accountConcurrency,
                longestQueryMillis);
        int subjectWidth = Math.max(8, findings.stream().mapToInt(f -> f.subject().length()).max().orElse(8));
        String row = "%-20s  %-" + subjectWidth + "s  %-10s  %s%n";
        out.printf(Locale.ROOT, row, "RULE", "SUBJECT", "RESULT", "DETAIL");
        for (Finding finding : findings) {
            out.printf(Locale.ROOT, row, finding.rule().label(), finding.subject(), result(finding), finding.detail());
        }
        boolean passes = StackCheck.passes(findings);
        long violations = findings.stream().filter(f -> f.verdict() == StackCheck.Verdict.VIOLATION).count();
        long warnings = findings.stream().filter(f -> f.verdict() == StackCheck.Verdict.WARNING).count();
        String warned = warnings == 0 ? "" : " (" + warnings + " warning" + (warnings == 1 ? "" : "s") + ")";
        out.println(passes ? "check passed" + warned
                : "check failed: " + violations + " violation" + (violations == 1 ? "" : "s") + warned);
        return passes ? 0 : 1;
    }

    private static String result(Finding finding) {
        return switch (finding.verdict()) {
            case OK -> "ok";
            case VIOLATION -> "VIOLATION";
            case ON_PURPOSE -> "on purpose";
            case WARNING -> "warning";
        };
    }
}
