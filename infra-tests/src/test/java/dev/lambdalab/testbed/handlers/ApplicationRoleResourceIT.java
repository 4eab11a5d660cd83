package dev.lambdalab.testbed.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.lambdalab.functions.setup.ApplicationRoleResource;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.aws.LocalSecretsManager;
import dev.lambdalab.testbed.db.PostgresServer;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.Invocation;
import dev.lambdalab.testbed.lambda.sandbox.FunctionCode;
import dev.lambdalab.testbed.support.LabExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * template.yaml's DatabaseSetup custom resource, run as Lambda runs it: the real {@link ApplicationRoleResource} in the
 * emulator, the master secret and the application secret in the local Secrets Manager, a real PostgreSQL, and
 * CloudFormation's pre-signed ResponseURL played by a local HTTP server that records each PUT. What the stack relies on:
 * the role exists with LOGIN and CONNECT and nothing more, its password is stored as a SCRAM verifier, every request
 * is answered (a failure too, with a reason free of passwords), and a repeated Create, an Update or a Delete changes
 * nothing that works.
 */
@ExtendWith(LabExtension.class)
class ApplicationRoleResourceIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    /** RDS's master user is no superuser: it may create roles and owns the database it created (DBName). */
    private final String master = "setup_admin_" + suffix;
    private final String masterPassword = "admin-" + UUID.randomUUID();
    private final String database = "setup_" + suffix;
    private final String role = "orders_" + suffix;
    private final String password = "app-" + UUID.randomUUID();
    private final List<JsonNode> answers = new CopyOnWriteArrayList<>();
    private final List<String> contentTypes = new CopyOnWriteArrayList<>();
    private LocalSecretsManager secrets;
    private HttpServer cloudFormation;
    private EmulatedFunction function;
    private PostgresServer server;

    @BeforeEach
    void start(TestBed testBed) throws IOException, SQLException {
        server = testBed.lab().server();
        try (Connection admin = server.superuserConnection("postgres"); Statement statement = admin.createStatement()) {
            statement.execute("CREATE ROLE " + master + " LOGIN CREATEROLE PASSWORD '" + masterPassword + "'");
            statement.execute("CREATE DATABASE " + database + " OWNER " + master);
        }
        secrets = new LocalSecretsManager().start();
        secrets.putSecret("lab/master", json(Map.of("username", master, "password", masterPassword, "host",
                server.host(), "port", server.port(), "dbname", database)));
        secrets.putSecret("lab/app", json(Map.of("username", role, "password", password)));
        cloudFormation = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        cloudFormation.createContext("/", exchange -> {
            answers.add(JSON.readTree(exchange.getRequestBody()));
            contentTypes.add(String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        cloudFormation.start();
        Map<String, String> environment = new LinkedHashMap<>(secrets.functionEnvironment());
        environment.put("DB_AUTH", "secrets-manager");
        environment.put("DB_SECRET_ARN", "lab/master");
        environment.put("DB_SSLMODE", "disable");
        environment.put("DB_CONNECT_TIMEOUT_S", "3");
        function = new EmulatedFunction("DatabaseSetupFunction", ApplicationRoleResource.class.getName())
                .withCode(FunctionCode.project()).withEnvironment(environment);
    }

    @AfterEach
    void stop() throws SQLException {
        function.close();
        cloudFormation.stop(0);
        secrets.close();
        try (Connection admin = server.superuserConnection("postgres"); Statement statement = admin.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            statement.execute("DROP ROLE IF EXISTS " + role);
            statement.execute("DROP ROLE IF EXISTS " + master);
        }
    }

    @Test
    void createMakesALoginRoleWithConnectOnlyAndItsPasswordAsAScramVerifier() throws Exception {
        Invocation created = function.invoke(request("Create", "lab/app", database));

        assertThat(created.succeeded()).as("the invocation: %s", created.errorMessage()).isTrue();
        JsonNode answer = onlyAnswer();
        assertThat(answer.get("Status").asText()).as("Status; Reason: %s", answer.get("Reason")).isEqualTo("SUCCESS");
        assertThat(answer.get("PhysicalResourceId").asText()).as("PhysicalResourceId").isEqualTo("application-role-" + role);
        assertThat(answer.get("Data").get("RoleName").asText()).as("Data.RoleName").isEqualTo(role);
        assertThat(answer.get("RequestId").asText()).as("RequestId echoed").isEqualTo("request-1");
        assertThat(contentTypes).as("Content-Type of the PUT (the pre-signed URL does not sign one)")
                .containsExactly("null");
        try (Connection admin = server.superuserConnection("postgres"); Statement statement = admin.createStatement();
                ResultSet found = statement.executeQuery("SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb,"
                        + " rolconnlimit, rolpassword LIKE 'SCRAM-SHA-256$%', has_database_privilege('" + role
                        + "', '" + database + "', 'CONNECT'), has_database_privilege('" + role + "', '" + database
                        + "', 'CREATE')"
                        + " FROM pg_authid WHERE rolname = '" + role + "'")) {
            assertThat(found.next()).as("the role exists").isTrue();
            assertThat(found.getBoolean(1)).as("LOGIN").isTrue();
            assertThat(found.getBoolean(2) || found.getBoolean(3) || found.getBoolean(4))
                    .as("SUPERUSER, CREATEROLE or CREATEDB").isFalse();
            assertThat(found.getInt(5)).as("its own CONNECTION LIMIT (none: max_connections is the budget)")
                    .isEqualTo(-1);
            assertThat(found.getBoolean(6)).as("password stored as a SCRAM-SHA-256 verifier").isTrue();
            assertThat(found.getBoolean(7)).as("CONNECT on the database").isTrue();
            assertThat(found.getBoolean(8)).as("CREATE on the database").isFalse();
        }
        try (Connection app = connect(role, password); Statement statement = app.createStatement();
                ResultSet user = statement.executeQuery("SELECT current_user")) {
            assertThat(user.next() && user.getString(1).equals(role)).as("a login with the secret's password").isTrue();
        }
    }

    @Test
    void aRepeatedCreateAnUpdateAndADeleteAllSucceedAndTheRoleKeepsWorking() throws Exception {
        function.invoke(request("Create", "lab/app", database));
        function.invoke(request("Create", "lab/app", database));
        Map<String, Object> update = request("Update", "lab/app", database);
        update.put("PhysicalResourceId", "application-role-" + role);
        function.invoke(update);
        Map<String, Object> delete = request("Delete", "lab/app", database);
        delete.put("PhysicalResourceId", "application-role-" + role);
        function.invoke(delete);

        assertThat(answers).as("answers, one per request").hasSize(4);
        assertThat(answers).as("their Status").allSatisfy(answer -> assertThat(answer.get("Status").asText())
                .as("Reason: %s", answer.get("Reason")).isEqualTo("SUCCESS"));
        assertThat(answers.get(3).get("PhysicalResourceId").asText()).as("Delete's PhysicalResourceId, unchanged")
                .isEqualTo("application-role-" + role);
        try (Connection app = connect(role, password)) {
            assertThat(app.isValid(2)).as("the role's login after Delete (the database takes it along)").isTrue();
        }
    }

    @Test
    void aFailureIsAnsweredAsFailedWithAReasonThatNamesTheCauseAndNoPassword() throws Exception {
        function.invoke(request("Create", "lab/nope", database));
        Map<String, Object> noDatabase = request("Create", "lab/app", database);
        @SuppressWarnings("unchecked")
        Map<String, Object> properties = (Map<String, Object>) noDatabase.get("ResourceProperties");
        properties.remove("DatabaseName");
        function.invoke(noDatabase);

        assertThat(answers).as("answers, one per request, failures included").hasSize(2);
        assertThat(answers.get(0).get("Status").asText()).as("a missing secret").isEqualTo("FAILED");
        assertThat(answers.get(0).get("Reason").asText()).as("its reason").contains("lab/nope");
        assertThat(answers.get(1).get("Status").asText()).as("a missing property").isEqualTo("FAILED");
        assertThat(answers.get(1).get("Reason").asText()).as("its reason")
                .contains("property DatabaseName is missing");
        assertThat(answers.toString()).as("every answer").doesNotContain(password).doesNotContain(masterPassword);
    }

    private Map<String, Object> request(String type, String applicationSecret, String database) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("ServiceToken", "arn:aws:lambda:us-east-1:123456789012:function:setup");
        properties.put("ApplicationSecretArn", applicationSecret);
        properties.put("DatabaseName", database);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("RequestType", type);
        event.put("ResponseURL", "http://127.0.0.1:" + cloudFormation.getAddress().getPort()
                + "/cloudformation-custom-resource-response?X-Amz-Signature=test");
        event.put("StackId", "arn:aws:cloudformation:us-east-1:123456789012:stack/lab/1");
        event.put("RequestId", "request-" + (answers.size() + 1));
        event.put("LogicalResourceId", "DatabaseSetup");
        event.put("ResourceType", "Custom::ApplicationRole");
        event.put("ResourceProperties", properties);
        return event;
    }

    private JsonNode onlyAnswer() {
        assertThat(answers).as("answers PUT to the ResponseURL").hasSize(1);
        return answers.get(0);
    }

    private Connection connect(String user, String secret) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", secret);
        return DriverManager.getConnection("jdbc:postgresql://" + server.host() + ":" + server.port() + "/" + database,
                properties);
    }

    private static String json(Map<String, Object> fields) throws IOException {
        return JSON.writeValueAsString(fields);
    }
}
