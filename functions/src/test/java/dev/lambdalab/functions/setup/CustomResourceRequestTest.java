package dev.lambdalab.functions.setup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading CloudFormation's custom resource request, and the answer it expects, without a network. */
class CustomResourceRequestTest {

    @Test
    void aRequestIsReadFieldByFieldAndItsAnswerCarriesCloudFormationsNames() {
        CustomResourceRequest request = CustomResourceRequest.of(event("Update"));

        assertThat(request.type()).as("RequestType").isEqualTo(CustomResourceRequest.Type.UPDATE);
        assertThat(request.property("DatabaseName")).as("a property").isEqualTo("lab");
        assertThat(request.physicalResourceId()).as("PhysicalResourceId").contains("application-role-app");
        Map<String, Object> answer = request.success("application-role-app", Map.of("RoleName", "app")).asMap();
        assertThat(answer).as("the answer").containsEntry("Status", "SUCCESS")
                .containsEntry("PhysicalResourceId", "application-role-app").containsEntry("RequestId", "r-1")
                .containsEntry("StackId", "arn:aws:cloudformation:eu-west-1:123456789012:stack/lab/1")
                .containsEntry("LogicalResourceId", "DatabaseSetup").containsEntry("Data", Map.of("RoleName", "app"));
    }

    @Test
    void aFailureKeepsThePhysicalIdAndCutsALongReasonWellUnderCloudFormationsLimit() {
        CustomResourceRequest.Outcome failed = CustomResourceRequest.of(event("Update")).failure("x".repeat(5000));

        assertThat(failed.status()).as("Status").isEqualTo(CustomResourceRequest.Status.FAILED);
        assertThat(failed.reason()).as("Reason").hasSize(CustomResourceRequest.MAX_REASON + 3).endsWith("...");
        assertThat(failed.asMap()).as("the answer").containsEntry("PhysicalResourceId", "application-role-app");
        Map<String, Object> create = event("Create");
        create.remove("PhysicalResourceId");
        assertThat(CustomResourceRequest.of(create).failure("no").asMap()).as("a failed Create's answer")
                .containsEntry("PhysicalResourceId", "DatabaseSetup");
    }

    @Test
    void aBadRequestNamesTheFieldAndTheValue() {
        assertThatThrownBy(() -> CustomResourceRequest.of(event("Replace"))).as("RequestType Replace")
                .hasMessage("custom resource request: RequestType must be Create, Update or Delete, got \"Replace\"");
        Map<String, Object> noUrl = event("Create");
        noUrl.remove("ResponseURL");
        assertThatThrownBy(() -> CustomResourceRequest.of(noUrl)).as("no ResponseURL")
                .hasMessage("custom resource request: ResponseURL is missing");
        Map<String, Object> ftp = event("Create");
        ftp.put("ResponseURL", "ftp://bucket/key");
        assertThatThrownBy(() -> CustomResourceRequest.of(ftp)).as("an ftp ResponseURL")
                .hasMessageContaining("ResponseURL must be an https URL, got scheme \"ftp\"");
        assertThatThrownBy(() -> CustomResourceRequest.of(event("Create")).property("ApplicationSecretArn"))
                .as("a property the template does not set")
                .hasMessage("custom resource DatabaseSetup: property ApplicationSecretArn is missing; the template must"
                        + " set it");
    }

    private static Map<String, Object> event(String type) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("RequestType", type);
        event.put("ResponseURL", "https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/x?X-Amz-Signature=s");
        event.put("StackId", "arn:aws:cloudformation:eu-west-1:123456789012:stack/lab/1");
        event.put("RequestId", "r-1");
        event.put("LogicalResourceId", "DatabaseSetup");
        event.put("PhysicalResourceId", "application-role-app");
        event.put("ResourceProperties", Map.of("ServiceToken", "arn:aws:lambda:eu-west-1:123456789012:function:f",
                "DatabaseName", "lab"));
        return event;
    }
}
