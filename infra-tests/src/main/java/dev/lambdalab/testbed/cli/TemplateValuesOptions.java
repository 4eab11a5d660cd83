package dev.lambdalab.testbed.cli;

import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.stack.StackTemplate;
import dev.lambdalab.testbed.stack.TemplateValues;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * Where the lab's own functions and proxy take their values from: template.yaml's memory, timeout, reserved
 * concurrency, variables and proxy settings, so that what is tested is what is deployed.
 */
final class TemplateValuesOptions {

    /** The template read when none is named and it is in the current directory. */
    static final String DEFAULT_TEMPLATE = "template.yaml";

    @Option(names = "--template", paramLabel = "FILE", description = "Take the functions' memory, timeout, reserved"
            + " concurrency and variables, and the proxy's settings, from this SAM template, with its parameters'"
            + " defaults (default: " + DEFAULT_TEMPLATE + " when it is in the current directory).")
    private Path templateFile;

    @Option(names = "--no-template", description = "Use the test bed's built-in values instead of a template's.")
    private boolean noTemplate;

    /** The template read by {@link #validate}, if any. */
    private TemplateValues template;

    /** Reads the template; usage errors (exit code 2) for a missing or unreadable one. */
    void validate(CommandSpec spec) {
        TestBedOptions.require(spec, !(noTemplate && templateFile != null), "--template and --no-template exclude each"
                + " other");
        TestBedOptions.require(spec, templateFile == null || Files.isRegularFile(templateFile), "--template: "
                + templateFile + " does not exist");
        template = read(spec, noTemplate ? null : templateFile != null ? templateFile : defaultFile());
    }

    /** template.yaml in the current directory, when it is there: the values a command without the flags takes. */
    static Optional<TemplateValues> defaults(CommandSpec spec) {
        return Optional.ofNullable(read(spec, defaultFile()));
    }

    private static Path defaultFile() {
        return Files.isRegularFile(Path.of(DEFAULT_TEMPLATE)) ? Path.of(DEFAULT_TEMPLATE) : null;
    }

    private static TemplateValues read(CommandSpec spec, Path file) {
        if (file == null) {
            return null;
        }
        try {
            return TemplateValues.of(StackTemplate.load(file));
        } catch (IOException | RuntimeException e) {
            TestBedOptions.require(spec, false, "--template: " + file + " cannot be read: " + e.getMessage());
            return null;
        }
    }

    /** Gives the test bed the template's values, when there is a template. */
    TestBed applyTo(TestBed testBed) {
        return applyTo(testBed, template);
    }

    static TestBed applyTo(TestBed testBed, TemplateValues values) {
        if (values != null) {
            testBed.withTemplate(values);
        }
        return testBed;
    }

    /** The template read by {@link #validate}, if any: its proxy settings are a command's defaults. */
    Optional<TemplateValues> values() {
        return Optional.ofNullable(template);
    }

    /** The report's line about where the functions' and the proxy's values came from. */
    String text() {
        return text(template, noTemplate);
    }

    static String text(TemplateValues template, boolean noTemplate) {
        return template == null ? "none: the test bed's built-in values (" + (noTemplate ? "--no-template" : "no "
                + DEFAULT_TEMPLATE + " in the current directory") + ")" : template.description();
    }
}
