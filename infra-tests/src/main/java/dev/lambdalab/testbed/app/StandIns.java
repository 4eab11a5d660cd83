package dev.lambdalab.testbed.app;

import dev.lambdalab.testbed.stack.AppTemplate;
import dev.lambdalab.testbed.stack.TemplateExpressions;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * What the stack's database resources stand for in a local run, as {@link TemplateExpressions} asks: the RDS Proxy's
 * endpoint is the proxy emulator's address, the instance's (or cluster's) endpoint the database endpoint's, and a
 * database secret's ARN names a secret of the local Secrets Manager. Anything else is not stood in for: a variable
 * that refers to it must come from {@code -n env.json}.
 *
 * @param proxyHost the proxy's address, or the database's when the run goes without a proxy
 * @param databaseHost the database endpoint's address
 * @param databasePort its port
 * @param region AWS_REGION of the run
 * @param databaseSecrets the logical ids of the secrets that hold database credentials
 */
public record StandIns(String proxyHost, String databaseHost, int databasePort, String region,
        Set<String> databaseSecrets) implements TemplateExpressions.Resources {

    static final String PROXY = "AWS::RDS::DBProxy";
    static final String PROXY_ENDPOINT = "AWS::RDS::DBProxyEndpoint";
    static final String INSTANCE = "AWS::RDS::DBInstance";
    static final String CLUSTER = "AWS::RDS::DBCluster";
    static final String SECRET = "AWS::SecretsManager::Secret";

    @Override
    public Optional<String> ref(String logicalId, String type) {
        return switch (type) {
            case SECRET -> databaseSecrets.contains(logicalId) ? Optional.of(secretArn(logicalId)) : Optional.empty();
            case INSTANCE, CLUSTER, PROXY -> Optional.of(logicalId.toLowerCase(Locale.ROOT));
            default -> Optional.empty();
        };
    }

    @Override
    public Optional<String> attribute(String logicalId, String type, String attribute) {
        if ((type.equals(PROXY) || type.equals(PROXY_ENDPOINT)) && attribute.equals("Endpoint")) {
            return Optional.of(proxyHost);
        }
        if (type.equals(INSTANCE) || type.equals(CLUSTER)) {
            return switch (attribute) {
                case "Endpoint.Address", "ReadEndpoint.Address" -> Optional.of(databaseHost);
                case "Endpoint.Port" -> Optional.of(Integer.toString(databasePort));
                case "MasterUserSecret.SecretArn" -> Optional.of(secretArn(logicalId + AppTemplate.MASTER_SECRET_SUFFIX));
                default -> Optional.empty();
            };
        }
        return Optional.empty();
    }

    /** A secret's ARN as Secrets Manager makes one: the name and six characters (here derived from the name). */
    String secretArn(String name) {
        String suffix = UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString().substring(0, 6);
        return "arn:aws:secretsmanager:" + region + ":" + TemplateExpressions.ACCOUNT_ID + ":secret:" + name + "-"
                + suffix;
    }

}
