package dev.lambdalab.testbed.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.aws.LocalSecretsManager;
import dev.lambdalab.testbed.db.LabDatabase;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Secrets Manager rotation while an environment is warm. The function reads its password from a secret (the AWS
 * SDK against a {@link LocalSecretsManager}); the role and the secret get a new password together, as the
 * rotation function does, and the pool's connection is retired, as maxLifetime would retire it. The next login
 * is rejected (28P01) and the handler's credentials read the secret again once and retry within the request.
 * Then half a rotation: the role changes and the secret does not, which must give a 503 naming
 * AUTHENTICATION and no storm of reads (at most one per 30 s).
 */
final class CredentialsRotated implements FaultExperiment {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Long enough for the pool to notice its connection ended and for the frozen environment to idle. */
    private static final Duration SETTLE = Duration.ofMillis(700);

    @Override
    public FaultResult run(Fault fault, FaultProbe probe) throws InterruptedException {
        TestBed testBed = probe.testBed();
        LabDatabase lab = testBed.lab();
        String secretId = "lab/app-" + UUID.randomUUID().toString().substring(0, 8);
        String rotated = "rotated-" + UUID.randomUUID().toString().replace("-", "");
        String unsynced = "unsynced-" + UUID.randomUUID().toString().replace("-", "");
        probe.secretUsed(rotated);
        probe.secretUsed(unsynced);
        try (LocalSecretsManager secrets = new LocalSecretsManager().start()) {
            probe.secretUsed(secrets.secretAccessKey());
            secrets.putSecret(secretId, secretJson(testBed, lab.appPassword()));
            Map<String, String> environment = testBed.environment(null, Map.of());
            environment.remove("DB_USER"); // the secret names the user and holds the password
            environment.remove("DB_PASSWORD");
            environment.put("DB_AUTH", "secrets-manager");
            environment.put("DB_SECRET_ARN", secretId);
            environment.putAll(secrets.functionEnvironment());
            try (EmulatedFunction fixed = probe.fixed(environment)) {
                Call warm = probe.call(fixed, 0);
                int readsAtInit = secrets.reads(secretId);

                lab.setAppPassword(rotated);
                secrets.putSecret(secretId, secretJson(testBed, rotated));
                lab.terminateAppConnections();
                FaultProbe.sleep(SETTLE);
                Call afterRotation = probe.call(fixed, 0);
                int readsAfterRotation = secrets.reads(secretId);

                // The pool keeps retrying its login, but the secret is not read again within the 30 s limit.
                lab.setAppPassword(unsynced);
                lab.terminateAppConnections();
                FaultProbe.sleep(SETTLE);
                Call unsyncedCall = probe.call(fixed, 0);
                int readsAfterUnsynced = secrets.reads(secretId);

                return probe.result(fault, fixed)
                        .callerSaw("0 errors after the rotation (" + afterRotation.key() + " in "
                                + afterRotation.latencyMillis() + " ms); a password the secret lacks: "
                                + unsyncedCall.key())
                        .recovery("within the request: the rejected login (28P01) read the secret again once and"
                                + " retried (" + readsAfterRotation + " reads in all)")
                        .answers(Call.answers(List.of(warm, afterRotation, unsyncedCall)))
                        .measure("secretReads", readsAfterUnsynced)
                        .measure("firstAnswerAfterRotationMillis", afterRotation.latencyMillis())
                        .measure("unsyncedAnswerMillis", unsyncedCall.latencyMillis())
                        .check("warm-up answered 200 with the secret read once", warm.ok() && readsAtInit == 1,
                                warm.key() + ", " + readsAtInit + " reads")
                        .check("after the rotation the same environment answered 200", afterRotation.ok()
                                && !afterRotation.coldStart() && afterRotation.sameEnvironmentAs(warm),
                                afterRotation.key())
                        .check("the secret was read again exactly once", readsAfterRotation == 2,
                                readsAfterRotation + " reads in all")
                        .check("a password the secret does not hold gives 503 naming AUTHENTICATION",
                                unsyncedCall.status() == 503 && unsyncedCall.detail().contains("AUTHENTICATION"),
                                unsyncedCall.key())
                        .check("and no further read of the secret (at most one per 30 s)",
                                readsAfterUnsynced == readsAfterRotation, readsAfterUnsynced + " reads in all")
                        .check("the endpoint saw only signed requests", secrets.rejectedRequests() == 0,
                                secrets.rejectedRequests() + " rejected")
                        .build();
            }
        } finally {
            lab.setAppPassword(lab.appPassword());
        }
    }

    /** The RDS secret format SecretTargetAttachment writes; the host is the instance. */
    private static String secretJson(TestBed testBed, String password) {
        return JSON.createObjectNode().put("username", LabDatabase.APP_ROLE).put("password", password)
                .put("engine", "postgres").put("host", testBed.server().host()).put("port", testBed.server().port())
                .put("dbname", LabDatabase.DATABASE).toString();
    }
}
