package dev.lambdalab.testbed.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.app.AppInvocation;
import dev.lambdalab.testbed.app.AppPlan;
import dev.lambdalab.testbed.app.LocalApp;
import dev.lambdalab.testbed.lambda.Isolation;
import dev.lambdalab.testbed.stack.AppFunction;
import dev.lambdalab.testbed.stack.AppTemplate;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code testbed invoke}: one invocation of a user's function, like {@code sam local invoke}, against the test bed's
 * PostgreSQL behind the RDS Proxy emulator; then what it did to the database.
 */
@Command(name = "invoke", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs one invocation of a function of your SAM template, as sam local invoke does, in an"
                + " emulated Lambda environment (AWS's runtime interface client, your package, your JDK), against the"
                + " test bed's PostgreSQL behind the RDS Proxy emulator, with your template's database, user and proxy"
                + " settings. Prints the function's log with Lambda's START, END and REPORT lines on stderr, its"
                + " answer on stdout, then what it did: connections opened and held, sessions pinned and why, the"
                + " error's cause.",
            "Variables that refer to the stack's proxy, database or secret are wired to the test bed's stand-ins;"
                + " any other reference must be given with -n env.json."})
final class InvokeCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "FUNCTION", description = "The function's logical id (optional when the"
            + " template has one function).")
    private String function;

    @Option(names = {"-e", "--event"}, paramLabel = "FILE", description = "The event, a JSON file; - reads standard"
            + " input (default: {}).")
    private String event;

    @Mixin
    private AppRunOptions app;

    @Mixin
    private TestBedOptions database;

    @Option(names = "--verbose", description = "The test bed's own log lines on stderr.")
    private boolean verbose;

    @Override
    public Integer call() throws Exception {
        database.validate(spec, true);
        TestBedOptions.require(spec, !database.proxyPgBouncer(), "--proxy: a template's functions get the RDS Proxy"
                + " emulator, or none");
        TestBedOptions.require(spec, !database.isolationGiven() || database.isolation() == Isolation.PROCESS,
                "--isolation: your function runs in process isolation (AWS's runtime interface client loads it);"
                        + " classloader runs the project's own handlers only");
        String eventText = readEvent();
        AppTemplate template = app.template(spec);
        String id = function != null ? function : onlyFunction(template);
        AppPlan plan = app.plan(spec, template, Optional.of(id), !database.proxyNone());
        Logging.configure(verbose, Path.of("reports", "invoke.log"));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        err.println("testbed invoke: " + plan.template().file() + ", function " + id);
        plan.functions().forEach(f -> f.wiring().notes().forEach(note -> err.println("  " + f.function().logicalId()
                + ": " + note)));
        err.flush();
        try (TestBed testBed = database.open(10); LocalApp running = LocalApp.start(plan, testBed, 1000,
                line -> err.println("  " + line))) {
            err.println("  " + id + ": " + running.describe(id));
            running.notes().forEach(note -> err.println("  note: " + note));
            err.flush();
            AppInvocation result = AppInvocation.run(running, id, eventText);
            result.log().forEach(err::println);
            err.flush();
            out.println(result.response());
            out.flush();
            err.println();
            err.println("What it did");
            summary(result, running).forEach(line -> err.println("  " + line));
            err.flush();
            return result.invocation().succeeded() ? 0 : 1;
        }
    }

    private static List<String> summary(AppInvocation result, LocalApp running) {
        List<String> lines = new ArrayList<>();
        if (running.proxy().isPresent()) {
            lines.add("connections opened to the RDS Proxy emulator: " + result.openedToProxy() + "; the proxy opened "
                    + result.proxyOpenedToDatabase() + " to the database");
        }
        lines.add("connections opened to the database endpoint: " + result.openedToDatabase());
        lines.add("connections its environment still holds (frozen until the next request): " + result.stillOpen());
        if (running.proxy().isPresent()) {
            lines.add(result.pins().isEmpty() ? "pinned sessions: none" : "pinned sessions: " + result.pins().stream()
                    .mapToLong(c -> c.pins()).sum());
            result.pins().forEach(pin -> lines.add("  " + pin.pins() + " x " + pin.reason() + ": \"" + pin.digest()
                    + "\""));
        }
        lines.add("error: " + result.failure().orElse("none"));
        return lines;
    }

    /** The event, checked to be JSON before anything starts. */
    private String readEvent() {
        if (event == null) {
            return "{}";
        }
        String text;
        try {
            text = event.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(event));
        } catch (IOException e) {
            TestBedOptions.require(spec, false, "-e " + event + " cannot be read: " + e.getMessage());
            return null;
        }
        try {
            new ObjectMapper().readTree(text);
        } catch (JsonProcessingException e) {
            TestBedOptions.require(spec, false, "-e " + event + " is not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ")");
        }
        return text;
    }

    private String onlyFunction(AppTemplate template) {
        List<AppFunction> functions = template.functions();
        TestBedOptions.require(spec, !functions.isEmpty(), template.file() + " deploys no AWS::Serverless::Function");
        TestBedOptions.require(spec, functions.size() == 1, "name the function to invoke: " + template.file()
                .getFileName() + " has " + String.join(", ", functions.stream().map(AppFunction::logicalId).toList()));
        return functions.get(0).logicalId();
    }
}
