package dev.lambdalab.testbed.template;

import static dev.lambdalab.testbed.support.Http.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdalab.db.DbSettings;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.stack.CloudFormationYaml;
import dev.lambdalab.testbed.support.LabExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.Yaml;

/**
 * The {@code sam local} kit (events/, env.json, compose.yaml, docker/) cannot run here (no Docker, no
 * SAM CLI). What can be checked is: every event parses into the handler's event type and gets a 200
 * from the real fixed handler; env.json only sets variables the template declares and yields valid
 * settings pointing at the compose services; the compose PgBouncer is configured as the test bed derives
 * RDS Proxy's settings; every file the compose file names exists.
 */
@ExtendWith(LabExtension.class)
class SamLocalKitIT {

    private static final Path ROOT = Path.of("..");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everySampleEventParsesAndGets200FromTheFixedHandler(TestBed testBed) throws IOException {
        List<Path> events;
        try (Stream<Path> files = Files.list(ROOT.resolve("events"))) {
            events = files.filter(path -> path.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(events).as("sample events").hasSizeGreaterThanOrEqualTo(3);
        testBed.resetConnections();
        try (EmulatedFunction fixed = testBed.function(Variant.FIXED, testBed.environment(null, Map.of()))) {
            for (Path file : events) {
                APIGatewayV2HTTPEvent event = EventLoader.loadApiGatewayHttpEvent(file.toAbsolutePath().toString());
                assertThat(event.getRequestContext().getHttp().getMethod()).as("%s", file).isEqualTo("GET");
                assertThat(body(fixed.invoke(event), 200).path("backendPid").asInt()).as("%s", file).isPositive();
            }
        }
    }

    @Test
    void envJsonOnlyOverridesVariablesTheTemplateDeclares() throws IOException {
        Map<String, Map<String, String>> envJson = envJson();
        Map<String, Object> resources = resources();
        assertThat(envJson.keySet()).containsExactlyInAnyOrder("BrokenFunction", "FixedFunction", "FixedSnapStartFunction");
        envJson.forEach((function, variables) -> assertThat(variables.keySet())
                .as("env.json keys of %s (SAM CLI ignores undeclared ones)", function)
                .isSubsetOf(templateVariables(resources, function).keySet()));
    }

    @Test
    void envJsonGivesValidSettingsThatPointAtTheComposeServices() throws IOException {
        Map<String, Object> resources = resources();
        Map<String, DbSettings> settings = new HashMap<>();
        envJson().forEach((function, overrides) -> {
            Map<String, String> merged = new LinkedHashMap<>();
            templateVariables(resources, function).forEach((name, value) -> {
                if (!overrides.containsKey(name)) {
                    assertThat(value).as("%s of %s is an intrinsic: env.json must set it for sam local", name, function)
                            .isInstanceOf(String.class);
                    merged.put(name, (String) value);
                }
            });
            merged.putAll(overrides);
            settings.put(function, DbSettings.from(merged));
        });

        assertThat(settings.get("BrokenFunction").host()).contains("postgres");
        assertThat(settings.get("BrokenFunction").port()).isEqualTo(5432);
        DbSettings fixed = settings.get("FixedFunction");
        assertThat(fixed.host()).contains("pgbouncer");
        assertThat(fixed.port()).isEqualTo(6432);
        assertThat(fixed.prepareThreshold()).as("pgbouncer=true").isZero();
        assertThat(fixed.poolMaxSize()).isEqualTo(1);
    }

    @Test
    void theComposePgBouncerIsConfiguredLikeTheTestBedsRdsProxy() throws IOException {
        Map<String, String> ini = new HashMap<>();
        for (String line : Files.readAllLines(ROOT.resolve("docker/pgbouncer.ini"))) {
            int eq = line.indexOf('=');
            if (!line.startsWith(";") && !line.startsWith("[") && eq > 0 && !line.startsWith("lab ")) {
                ini.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        String initSql = Files.readString(ROOT.resolve("docker/initdb.sql"));
        int limit = Integer.parseInt(initSql.replaceAll("(?s).*CONNECTION LIMIT (\\d+).*", "$1"));
        ProxySettings proxy = ProxySettings.DEFAULTS;

        assertThat(ini).containsEntry("pool_mode", "transaction")
                .containsEntry("default_pool_size", Integer.toString(proxy.databaseConnections(limit)))
                .containsEntry("max_db_connections", Integer.toString(proxy.databaseConnections(limit)))
                .containsEntry("query_wait_timeout", Long.toString(proxy.connectionBorrowTimeout().toSeconds()))
                .containsEntry("client_idle_timeout", Long.toString(proxy.idleClientTimeout().toSeconds()))
                .containsEntry("max_client_conn", Integer.toString(proxy.maxClientConnections()))
                .containsEntry("ignore_startup_parameters", "extra_float_digits");
        String password = Files.readString(ROOT.resolve("docker/userlist.txt")).split("\"")[3];
        assertThat(initSql).contains("PASSWORD '" + password + "'");
        assertThat(Files.readString(ROOT.resolve("env.json"))).contains("app:" + password + "@");
    }

    @Test
    void everyFileTheComposeFileNamesExists() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve("compose.yaml")));
        Map<String, Object> services = map(compose.get("services"));
        List<?> volumes = (List<?>) map(services.get("postgres")).get("volumes");
        for (Object volume : volumes) {
            String hostPath = volume.toString().split(":")[0];
            assertThat(ROOT.resolve(hostPath)).as("volume %s", volume).exists();
        }
        Map<String, Object> build = map(map(services.get("pgbouncer")).get("build"));
        assertThat(ROOT.resolve(build.get("context").toString()).resolve(build.get("dockerfile").toString())).exists();
        assertThat(map(map(compose.get("networks")).get("lab"))).containsEntry("name", "lambda-connection-lab");
        assertThat(Files.readString(ROOT.resolve("docs/sam-local.md"))).contains("--docker-network lambda-connection-lab");
        services.forEach((name, service) -> assertThat(map(service)).as("%s publishes no host port: the Lambda"
                + " containers use the network, and 5432 or 6432 on the host may be taken", name)
                .doesNotContainKey("ports"));
    }

    @Test
    void theComposePgBouncerImageIsBuiltTheWayTheContainerProviderBuildsIt() throws IOException {
        String dockerfile = Files.readString(ROOT.resolve("docker/pgbouncer.Dockerfile")).replace("\\\n", " ")
                .replaceAll("\\s+", " ");

        assertThat(dockerfile).contains("FROM " + dev.lambdalab.testbed.pgbouncer.PgBouncerContainer.BASE_IMAGE)
                .contains("RUN " + dev.lambdalab.testbed.pgbouncer.PgBouncerContainer.INSTALL)
                .contains("USER postgres");
    }

    private static Map<String, Map<String, String>> envJson() throws IOException {
        return JSON.readValue(ROOT.resolve("env.json").toFile(),
                JSON.getTypeFactory().constructMapType(Map.class, JSON.getTypeFactory().constructType(String.class),
                        JSON.getTypeFactory().constructMapType(Map.class, String.class, String.class)));
    }

    private static Map<String, Object> resources() throws IOException {
        return map(CloudFormationYaml.load(ROOT.resolve("template.yaml")).get("Resources"));
    }

    private static Map<String, Object> templateVariables(Map<String, Object> resources, String function) {
        return map(map(map(map(resources.get(function)).get("Properties")).get("Environment")).get("Variables"));
    }

    @SuppressWarnings("unchecked") // YAML mappings
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }
}
