package dev.lambdalab.testbed.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lambdalab.testbed.Target;
import dev.lambdalab.testbed.aws.AwsExperiment;
import dev.lambdalab.testbed.aws.AwsMetrics;
import dev.lambdalab.testbed.aws.StackOutputs;
import dev.lambdalab.testbed.scenario.Scenario;
import dev.lambdalab.testbed.stack.TemplateValues;
import dev.lambdalab.testbed.watchdog.Watchdog;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;

/**
 * {@code testbed aws --compare}'s AWS side against a real implementation of the AWS APIs, not a hand-written mock:
 * moto's server mode ({@code moto_server}, from Python's moto package), which implements CloudFormation and CloudWatch.
 * What DescribeStacks gives (through the Java SDK) sets up the local prediction (the stack's parameters on
 * template.yaml), and GetMetricData's answer to AwsMetrics' own queries shows why the proxy's gauges are read with Sum:
 * two proxy nodes' datapoints in one minute add up. CloudWatch is reached with its Query protocol, since the Java SDK
 * speaks CloudWatch's CBOR protocol, which moto 5.2 does not implement; the answer is read into the SDK's model. Skipped,
 * with the reason, where moto_server is not installed (it is not in Debian 12's packages).
 */
class AwsApiMotoIT {

    private static final Path TEMPLATE = Path.of("..", "template.yaml");
    private static final Region REGION = Region.EU_WEST_1;
    private static Process moto;
    private static URI endpoint;

    @BeforeAll
    static void startMoto() throws Exception {
        Optional<Path> binary = onPath("moto_server");
        assumeTrue(binary.isPresent(), "moto_server is not on PATH (pip install 'moto[server]'): the AWS API tests"
                + " need a real implementation and skip without one");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        moto = new ProcessBuilder(binary.get().toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Watchdog.watchUntilExit(moto.toHandle(), "TERM"); // gone with the JVM, even after a SIGKILL
        endpoint = URI.create("http://127.0.0.1:" + port);
        Instant deadline = Instant.now().plusSeconds(30);
        while (!answers(endpoint)) {
            assertThat(moto.isAlive()).as("moto_server exited before it answered").isTrue();
            assertThat(Instant.now()).as("moto_server answered within 30 s").isBefore(deadline);
            Thread.sleep(200);
        }
    }

    @AfterAll
    static void stopMoto() throws InterruptedException {
        if (moto != null) {
            moto.destroy();
            moto.waitFor();
        }
    }

    @Test
    void theStacksOwnParametersSetUpTheLocalPrediction() throws IOException {
        String stackTemplate = """
                Parameters:
                  MaxConnections: {Type: Number, Default: 30}
                  MaxConnectionsPercent: {Type: Number, Default: 50}
                  FixedReservedConcurrency: {Type: Number, Default: 0}
                  Runtime: {Type: String, Default: java25}
                  RetiredParameter: {Type: String, Default: x}
                Resources:
                  Topic: {Type: AWS::SNS::Topic}
                Outputs:
                  BrokenUrl: {Value: https://api.example/broken}
                  FixedUrl: {Value: https://api.example/fixed}
                  DatabaseInstanceId: {Value: lab-database-1a2b}
                  ProxyName: {Value: lab-proxy}
                  BrokenFunctionName: {Value: lab-BrokenFunction-AbC}
                  FixedFunctionName: {Value: lab-FixedFunction-DeF}
                """;
        StackOutputs stack;
        try (CloudFormationClient cloudFormation = CloudFormationClient.builder().endpointOverride(endpoint)
                .region(REGION).credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create()).build()) {
            cloudFormation.createStack(request -> request.stackName("lab").templateBody(stackTemplate).parameters(
                    parameter("MaxConnections", "60"), parameter("MaxConnectionsPercent", "40"),
                    parameter("FixedReservedConcurrency", "10"), parameter("Runtime", "java21")));
            stack = StackOutputs.read(cloudFormation, "lab", REGION.id());
        }
        assertThat(stack.maxConnections()).as("MaxConnections from DescribeStacks").isEqualTo(60);
        assertThat(stack.proxyDatabaseConnections()).as("40 %% of 60").isEqualTo(24);

        List<String> skipped = new ArrayList<>();
        TemplateValues values = TemplateValues.of(LocalPrediction.withStackParameters(TEMPLATE, stack.parameters(),
                skipped::add));
        List<Scenario> scenarios = LocalPrediction.scenarios(new AwsExperiment.Plan("lab", null, 20,
                Duration.ofSeconds(10), 50, Duration.ZERO, Duration.ZERO), stack, values);

        assertThat(skipped).as("a parameter template.yaml does not declare").singleElement().asString()
                .startsWith("RetiredParameter");
        assertThat(scenarios).extracting(Scenario::roleConnectionLimit).as("max_connections 60 - 3 reserved")
                .containsOnly(57);
        Scenario fixed = scenarios.get(1);
        assertThat(fixed.target()).isEqualTo(Target.PROXY);
        assertThat(fixed.proxy().maxConnectionsPercent()).as("the stack's MaxConnectionsPercent").isEqualTo(40);
        assertThat(fixed.reservedConcurrency()).as("the stack's FixedReservedConcurrency").isEqualTo(10);
        assertThat(values.description()).as("the stack's Runtime").contains("FixedFunction java21");
    }

    @Test
    void theProxysGaugesAreSummedAcrossProxyNodesAndTheInstancesTakenAtItsMaximum() throws Exception {
        StackOutputs stack = new StackOutputs("lab", "b", "f", "lab-database-1a2b", "lab-proxy", "lab-Broken",
                "lab-Fixed", 30, 50, Map.of());
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        // Two proxy nodes publish in the same minute, as RDS Proxy does for a proxy served by two. The Java SDK speaks
        // CloudWatch's CBOR protocol, which moto 5.2 does not; CloudWatch's Query protocol reaches the same moto code.
        Map<String, String> put = new LinkedHashMap<>(Map.of("Action", "PutMetricData", "Version", "2010-08-01",
                "Namespace", "AWS/RDS"));
        datum(put, 1, "ClientConnections", "ProxyName", "lab-proxy", minute.plusSeconds(5), 30);
        datum(put, 2, "ClientConnections", "ProxyName", "lab-proxy", minute.plusSeconds(7), 20);
        datum(put, 3, "DatabaseConnectionsCurrentlySessionPinned", "ProxyName", "lab-proxy", minute.plusSeconds(5), 2);
        datum(put, 4, "DatabaseConnectionsCurrentlySessionPinned", "ProxyName", "lab-proxy", minute.plusSeconds(9), 3);
        datum(put, 5, "DatabaseConnections", "DBInstanceIdentifier", "lab-database-1a2b", minute.plusSeconds(5), 9);
        datum(put, 6, "DatabaseConnections", "DBInstanceIdentifier", "lab-database-1a2b", minute.plusSeconds(35), 12);
        queryProtocol(put);

        List<AwsMetrics.Query> queries = AwsMetrics.queries(stack);
        GetMetricDataRequest request = AwsMetrics.request(queries, minute, minute.plusSeconds(50));
        Map<String, String> get = new LinkedHashMap<>(Map.of("Action", "GetMetricData", "Version", "2010-08-01",
                "StartTime", request.startTime().toString(), "EndTime", request.endTime().toString()));
        int n = 1;
        for (MetricDataQuery query : request.metricDataQueries()) {
            String prefix = "MetricDataQueries.member." + n++ + ".";
            get.put(prefix + "Id", query.id());
            get.put(prefix + "MetricStat.Metric.Namespace", query.metricStat().metric().namespace());
            get.put(prefix + "MetricStat.Metric.MetricName", query.metricStat().metric().metricName());
            Dimension dimension = query.metricStat().metric().dimensions().get(0);
            get.put(prefix + "MetricStat.Metric.Dimensions.member.1.Name", dimension.name());
            get.put(prefix + "MetricStat.Metric.Dimensions.member.1.Value", dimension.value());
            get.put(prefix + "MetricStat.Period", Integer.toString(query.metricStat().period()));
            get.put(prefix + "MetricStat.Stat", query.metricStat().stat());
        }
        Map<String, Double> values = AwsMetrics.values(queries, results(queryProtocol(get)));

        assertThat(values.get("proxyClients")).as("ClientConnections: both nodes' clients").isEqualTo(50.0);
        assertThat(values.get("proxyPinned")).as("pinned connections on both nodes").isEqualTo(5.0);
        assertThat(values.get("dbConnections")).as("the instance's DatabaseConnections: its peak").isEqualTo(12.0);
    }

    private static void datum(Map<String, String> form, int n, String metric, String dimension, String value,
            Instant at, double number) {
        String prefix = "MetricData.member." + n + ".";
        form.put(prefix + "MetricName", metric);
        form.put(prefix + "Dimensions.member.1.Name", dimension);
        form.put(prefix + "Dimensions.member.1.Value", value);
        form.put(prefix + "Timestamp", at.toString());
        form.put(prefix + "Value", Double.toString(number));
    }

    /** One call in CloudWatch's Query protocol (a form POST, an XML answer), signed with nothing: moto ignores it. */
    private static String queryProtocol(Map<String, String> form) throws IOException, InterruptedException {
        String body = form.entrySet().stream().map(entry -> URLEncoder.encode(entry.getKey(), StandardCharsets.UTF_8)
                + "=" + URLEncoder.encode(entry.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(endpoint.resolve("/"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20250101/" + REGION.id()
                        + "/monitoring/aws4_request, SignedHeaders=host, Signature=0")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s: %s", form.get("Action"), response.body()).isEqualTo(200);
        return response.body();
    }

    /** GetMetricData's XML answer in the SDK's model, as AwsMetrics reads it. */
    private static List<MetricDataResult> results(String xml) throws Exception {
        Document document = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        List<MetricDataResult> results = new ArrayList<>();
        NodeList members = ((Element) document.getElementsByTagName("MetricDataResults").item(0)).getChildNodes();
        for (int i = 0; i < members.getLength(); i++) {
            if (members.item(i) instanceof Element member) {
                List<Double> points = new ArrayList<>();
                NodeList values = ((Element) member.getElementsByTagName("Values").item(0))
                        .getElementsByTagName("member");
                for (int v = 0; v < values.getLength(); v++) {
                    points.add(Double.parseDouble(values.item(v).getTextContent().trim()));
                }
                results.add(MetricDataResult.builder().id(member.getElementsByTagName("Id").item(0).getTextContent())
                        .values(points).build());
            }
        }
        return results;
    }

    private static Parameter parameter(String key, String value) {
        return Parameter.builder().parameterKey(key).parameterValue(value).build();
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
    }

    private static boolean answers(URI uri) {
        try {
            HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
            connection.setConnectTimeout(500);
            connection.setReadTimeout(1000);
            return connection.getResponseCode() > 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static Optional<Path> onPath(String name) {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(directory, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
