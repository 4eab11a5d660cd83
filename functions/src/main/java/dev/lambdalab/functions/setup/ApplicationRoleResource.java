package dev.lambdalab.functions.setup;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.zaxxer.hikari.util.Credentials;
import dev.lambdalab.db.ApplicationRole;
import dev.lambdalab.db.ConnectionSpec;
import dev.lambdalab.db.EnvironmentVariables;
import dev.lambdalab.db.Redactor;
import dev.lambdalab.db.SecretsManagerCredentials;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * template.yaml's {@code DatabaseSetup}: a CloudFormation custom resource that creates the application role (the
 * {@code DbUsername} parameter, whose password is the {@code DatabaseSecret}) as the master user, whose credentials
 * only this function can read. The functions and RDS Proxy then log in as the application role, never as the master
 * user ("Protecting the master user" in the RDS user guide: create other users for applications).
 *
 * <p>Its connection to the database comes from its variables, as the handlers' does ({@code DB_AUTH=secrets-manager},
 * {@code DB_SECRET_ARN} naming the master secret, {@code DB_HOST}, ...): the same TLS, timeouts and secret reading.
 * The resource's properties name the rest: {@code ApplicationSecretArn} (the role's name is its {@code username}) and
 * {@code DatabaseName}.
 *
 * <ul>
 *   <li>Create and Update: {@link ApplicationRole#ensure}, which is idempotent; the physical id names the role, so
 *       renaming it (a new DbUsername) replaces the resource.</li>
 *   <li>Delete: nothing. The role goes with the database when the stack is deleted, and dropping it while the proxy
 *       or a function still holds a session would fail the deletion for no gain.</li>
 *   <li>Every request is answered, failures included, before the function's timeout: an unanswered custom resource
 *       holds the stack for an hour ("Custom resources" in the CloudFormation user guide). The reason never holds a
 *       password ({@link Redactor}).</li>
 * </ul>
 */
public final class ApplicationRoleResource implements RequestHandler<Map<String, Object>, Map<String, Object>> {

    private final Function<String, Credentials> secrets;
    private final ConnectionSpec master;
    private final CloudFormationResponder responder;

    /** Lambda's constructor: the master connection and the secrets from this environment's variables. */
    public ApplicationRoleResource() {
        this(ConnectionSpec.fromEnvironment(), new CloudFormationResponder());
    }

    /** With the master's connection settings given, and where answers go. */
    public ApplicationRoleResource(ConnectionSpec master, CloudFormationResponder responder) {
        this.master = Objects.requireNonNull(master, "master");
        this.responder = Objects.requireNonNull(responder, "responder");
        SecretsManagerCredentials.SecretReader reader = SecretsManagerCredentials.awsSdkReader(master.settings(),
                EnvironmentVariables.current());
        this.secrets = arn -> new SecretsManagerCredentials(arn, reader).getCredentials();
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        CustomResourceRequest request = CustomResourceRequest.of(event);
        CustomResourceRequest.Outcome outcome;
        try {
            outcome = switch (request.type()) {
                case CREATE, UPDATE -> ensureRole(request);
                case DELETE -> request.success(request.physicalResourceId().orElse("application-role"), Map.of());
            };
        } catch (RuntimeException | SQLException e) {
            outcome = request.failure(Redactor.redact(e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
        responder.send(request, outcome);
        return outcome.asMap();
    }

    private CustomResourceRequest.Outcome ensureRole(CustomResourceRequest request) throws SQLException {
        Credentials application = secrets.apply(request.property("ApplicationSecretArn"));
        Redactor.register(application.getPassword());
        ApplicationRole role = ApplicationRole.of(application.getUsername(), request.property("DatabaseName"));
        char[] password = application.getPassword().toCharArray();
        try (Connection admin = master.dataSource().getConnection()) {
            role.ensure(admin, password);
        } finally {
            Arrays.fill(password, '\0');
        }
        return request.success("application-role-" + role.name(), Map.of("RoleName", role.name()));
    }
}
