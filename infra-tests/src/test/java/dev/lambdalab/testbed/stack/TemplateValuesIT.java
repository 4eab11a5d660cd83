package dev.lambdalab.testbed.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.apigw.HttpApiEvents;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.support.LabExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** --template: what the emulated functions and the proxy get is what the template deploys. */
@ExtendWith(LabExtension.class)
class TemplateValuesIT {

    @TempDir
    Path temp;

    @Test
    void theFixedFunctionRunsWithTheTemplatesTimeoutReservationVariablesAndProxySettings(TestBed testBed)
            throws Exception {
        String text = Files.readString(Path.of("..", "template.yaml"))
                .replace("    Timeout: 15\n", "    Timeout: 9\n")
                .replace("          POOL_TIMEOUT_MS: \"3000\"", "          POOL_TIMEOUT_MS: \"2500\"");
        Path file = temp.resolve("template.yaml");
        Files.writeString(file, text);
        TemplateValues values = TemplateValues.of(StackTemplate.load(file)
                .withParameter("FixedReservedConcurrency", "3").withParameter("ConnectionBorrowTimeout", "7"));
        testBed.resetConnections();
        testBed.withTemplate(values);
        try (EmulatedFunction fixed = testBed.function(Variant.FIXED, testBed.environment(null, Map.of()))) {
            assertThat(fixed.timeout()).as("the template's Timeout").isEqualTo(Duration.ofSeconds(9));
            assertThat(fixed.concurrencyLimit()).as("the template's reserved concurrency").isEqualTo(3);
            assertThat(fixed.invoke(HttpApiEvents.get("/fixed", 0)).succeeded()).as("a request").isTrue();
            assertThat(fixed.environmentVariables()).as("the variables the function got")
                    .containsEntry("POOL_TIMEOUT_MS", "2500").containsEntry("DB_PREPARE_THRESHOLD", "0")
                    .containsEntry("DB_HOST", testBed.server().host()).doesNotContainKey("DB_SECRET_ARN");
            assertThat(fixed.memoryMb()).as("the template's MemorySize").isEqualTo(1024);
            assertThat(testBed.proxyDefaults().connectionBorrowTimeout()).as("the proxy's ConnectionBorrowTimeout")
                    .isEqualTo(Duration.ofSeconds(7));
        } finally {
            testBed.withTemplate(null);
            testBed.resetConnections();
        }
        assertThat(testBed.proxyDefaults().connectionBorrowTimeout()).as("without a template")
                .isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void theSnapStartFunctionIsDeployedOnlyWhenAskedAndTheEmulatorRunsItAsTheTemplateWouldDeployIt() throws Exception {
        StackTemplate template = StackTemplate.load(Path.of("..", "template.yaml"));
        String safe = Variant.FIXED_SNAPSTART.handlerClass();

        assertThat(FunctionSpec.of(template)).as("deployed with the defaults").doesNotContainKey("FixedSnapStartFunction");
        assertThat(FunctionSpec.of(template.withParameter("SnapStartFunction", "true")))
                .as("deployed with SnapStartFunction=true").containsKey("FixedSnapStartFunction");

        TemplateValues values = TemplateValues.of(template);
        FunctionSpec snapStart = values.function(safe).orElseThrow();
        assertThat(snapStart.snapStart()).as("SnapStart: ApplyOn: PublishedVersions").isTrue();
        assertThat(values.function(Variant.FIXED.handlerClass()).orElseThrow().snapStart())
                .as("the plain fixed function is not snapshotted").isFalse();
        assertThat(TemplateValues.portableVariables(snapStart)).as("what --snapstart runs it with")
                .isEqualTo(TemplateValues.portableVariables(values.function(Variant.FIXED.handlerClass()).orElseThrow()));
    }
}
