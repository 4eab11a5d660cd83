package dev.lambdalab.testbed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Bad flags: one line naming the flag, the value and what is allowed; exit code 2; nothing started. */
class TestbedCliTest {

    record Run(int exitCode, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = TestbedCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exitCode, out.toString(), err.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            reproduce --role-limit 0                     | --role-limit must be from 2 to 1000, got 0
            reproduce --role-limit ten                   | Invalid value for option '--role-limit': 'ten' is not an int
            reproduce --concurrency 5                    | --concurrency must be more than --role-limit (10) and at most 5000, got 5
            reproduce --proxy-concurrency 0              | --proxy-concurrency must be from 1 to 5000, got 0
            reproduce --requests 0                       | --requests must be from 1 to 100000, got 0
            reproduce --hold-ms 6000                     | --hold-ms must be from 0 to 5000, got 6000
            reproduce --proxy-max-percent 101            | --proxy-max-percent must be from 1 to 100, got 101
            reproduce --proxy-borrow-timeout-s 301       | --proxy-borrow-timeout-s must be from 0 to 300, got 301
            reproduce --proxy-max-clients 1              | --proxy-max-clients must be from 2 to 100000, got 1
            reproduce --variants fixd                    | expected one of [BROKEN, FIXED] (case-insensitive) but was 'fixd'
            reproduce --targets nowhere                  | expected one of [DIRECT, PROXY] (case-insensitive) but was 'nowhere'
            reproduce --bogus                            | Unknown option: '--bogus'
            reproduce --postgres-url mysql://root:s3cret@h/db | --postgres-url: the PostgreSQL URL must start with postgresql://, got scheme "mysql"
            reproduce --postgres-url postgresql://h/db --containers | --containers and --postgres-url exclude each other
            faults --only nosuch                         | --only: unknown fault "nosuch"; allowed: server-ends-idle-connections,
            faults --bogus                               | Unknown option: '--bogus'
            faults --isolation threads                   | --isolation: isolation must be classloader or process, got "threads"
            reproduce --isolation vm                     | --isolation: isolation must be classloader or process, got "vm"
            serve --isolation none                       | --isolation: isolation must be classloader or process, got "none"
            bench isolation --cold-starts 1              | --cold-starts must be from 5 to 500, got 1
            bench isolation --environments 1             | --environments must be from 2 to 1000, got 1
            serve --port 70000                           | --port must be from 0 to 65535, got 70000
            serve --timeout-s 0                          | --timeout-s must be from 1 to 900, got 0
            serve --fixed-reserved-concurrency -1        | --fixed-reserved-concurrency must be from 0 to 10000, got -1
            serve --role-limit x                         | Invalid value for option '--role-limit': 'x' is not an int
            bench                                        | a benchmark is needed: overhead, environments, throughput, isolation, proxy, storm, snapstart or managed
            bench managed --pool-sizes 0                 | --pool-sizes must each be from 1 to 64, got 0
            bench managed --threads 65                   | --threads must be from 1 to 64, got 65
            reproduce --models lmi                       | execution model must be classic or managed-instances, got "lmi"
            check --hold-share 1.5                       | --hold-share must be above 0 and at most 1, got 1.5
            reproduce --jvm-profile slow                 | --jvm-profile: JVM profile must be fast or lambda, got "slow"
            reproduce --template missing.yaml            | --template: missing.yaml does not exist
            reproduce --template ../template.yaml --no-template | --template and --no-template exclude each other
            check --account-concurrency 0                | --account-concurrency must be from 1 to 1000000, got 0
            check --longest-query-ms -1                  | --longest-query-ms must be from 0 to 900000, got -1
            check ../template.yaml --parameter Nope      | --parameter must be KEY=VALUE, got "Nope"
            check ../template.yaml --parameter Nope=1    | --parameter: parameter Nope is not in template.yaml
            check missing.yaml                           | TEMPLATE missing.yaml does not exist
            bench storm --callers 0                      | --callers must each be from 1 to 2000, got 0
            bench snapstart --cold-starts 0              | --cold-starts must be from 1 to 200, got 0
            bench snapstart --concurrent 201             | --concurrent must be from 1 to 200, got 201
            reproduce --snapstart                        | --snapstart needs --isolation process: the runtime client runs the SnapStart hooks
            bench storm --callers 200,100                | --callers must be ascending without repeats, got [200, 100]
            bench storm --hold-ms 9000                   | --hold-ms must be from 1 to 5000, got 9000
            bench proxy --round-trips 10                 | --round-trips must be from 1000 to 1000000, got 10
            bench proxy --idle-clients 20000             | --idle-clients must be from 0 to 15000, got 20000
            bench proxy --select-rounds 0                | --select-rounds must be from 1 to 20, got 0
            bench proxy --select-seconds 700             | --select-seconds must be from 1 to 600, got 700
            bench overhead --invocations 5               | --invocations must be from 1000 to 10000000, got 5
            bench environments --count 1                 | --count must be from 10 to 5000, got 1
            bench throughput --callers 0                 | --callers must be from 1 to 2000, got 0
            bench throughput --hold-ms 0                 | --hold-ms must be from 1 to 5000, got 0
            aws --seconds 30                             | Missing required option: '--stack=NAME'
            aws --stack 1bad --dry-run                   | --stack must be a CloudFormation stack name (a letter, then letters, digits or '-'), got "1bad"
            aws --stack lab --region Europe --dry-run    | --region must be an AWS region such as eu-west-1, got "Europe"
            aws --stack lab --seconds 1 --dry-run        | --seconds must be from 5 to 900, got 1
            reproduce --proxy haproxy                    | --proxy: proxy must be rds-proxy or pgbouncer (or none, for serve and invoke with a template), got "haproxy"
            proxy --port 1                               | Missing required option: '--upstream=URL'
            proxy --upstream mysql://root:s3cret@h/db    | --upstream must start with postgresql://, got scheme mysql
            proxy --upstream postgresql://h/db           | --upstream must name the user before the @
            proxy --upstream postgresql://u:p@h/db --max-connections 0 | --max-connections must be from 1 to 10000, got 0
            proxy --upstream postgresql://u:p@h/db --borrow-timeout-s 301 | --borrow-timeout-s must be from 0 to 300, got 301
            proxy --upstream postgresql://u:p@h/db --idle-client-timeout-s 59 | --idle-client-timeout-s must be from 60 to 28800, got 59
            proxy --upstream postgresql://u:p@h/db --auth-timeout-s 0 | --auth-timeout-s must be from 1 to 3600, got 0
            invoke -t missing.yaml                       | template missing.yaml does not exist
            invoke -t ../template.yaml                   | name the function to invoke: template.yaml has DatabaseSetupFunction, BrokenFunction, FixedFunction
            invoke -t ../template.yaml Nope              | function Nope is not in ../template.yaml; its functions are DatabaseSetupFunction, BrokenFunction, FixedFunction
            invoke -t ../template.yaml --parameter-overrides bogus FixedFunction | --parameter-overrides: "bogus" is neither Key=Value nor ParameterKey=Key,ParameterValue=Value
            invoke -t ../template.yaml --parameter-overrides Nope=1 FixedFunction | parameter Nope is not in template.yaml
            invoke -t ../template.yaml --timeout-s 0 FixedFunction | --timeout-s must be from 1 to 900, got 0
            invoke -t ../template.yaml --region Mars FixedFunction | --region must be an AWS region such as us-east-1, got "Mars"
            invoke -t ../template.yaml --isolation classloader FixedFunction | --isolation: your function runs in process isolation
            invoke -t ../template.yaml --proxy pgbouncer FixedFunction | --proxy: a template's functions get the RDS Proxy emulator, or none
            invoke -t ../template.yaml -e missing.json FixedFunction | -e missing.json cannot be read
            invoke -t ../template.yaml -e ../pom.xml FixedFunction | -e ../pom.xml is not valid JSON: Unexpected character
            serve -t ../template.yaml --fixed-reserved-concurrency 1 | with -t the template sets reserved concurrency and the proxy's settings
            serve --proxy none                           | --proxy: proxy must be rds-proxy or pgbouncer, got "none"
            nonsense                                     | Unmatched argument at index 0: 'nonsense'
            """)
    void badFlagsExitWithUsageErrorNamingTheFlagAndValue(String arguments, String message) {
        Run run = run(arguments.strip().split(" +"));

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(TestbedCli.USAGE);
        assertThat(run.err()).contains(message).startsWith("testbed: ");
        assertThat(run.err().lines().count()).as("a short message, no stack trace").isLessThanOrEqualTo(3);
        assertThat(run.err()).doesNotContain("\tat ").doesNotContain("s3cret");
    }

    @Test
    void noCommandIsAUsageError() {
        Run run = run();

        assertThat(run.exitCode()).isEqualTo(TestbedCli.USAGE);
        assertThat(run.err()).contains("a command is needed: reproduce, faults, serve, invoke, proxy, bench, check or aws");
    }

    @Test
    void helpListsTheCommands() {
        Run run = run("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("reproduce", "bench");
    }

    @Test
    void reproduceHelpDocumentsEveryFlagWithItsDefault() {
        Run run = run("reproduce", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out().replaceAll("\\s+", " ")).contains("--role-limit", "default: 10", "--json", "reports/reproduce.json",
                "--postgres-url", "TESTBED_POSTGRES_URL");
    }
}
