package dev.lambdalab.testbed.app;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.EnvironmentInfo;
import dev.lambdalab.testbed.lambda.Invocation;
import dev.lambdalab.testbed.lambda.sandbox.FunctionLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One invocation of a user's function, as {@code testbed invoke} runs it, and what it did to the database: the
 * function's log with Lambda's START, END and REPORT lines, its answer, the connections it opened and still holds,
 * the sessions it pinned at the proxy, and the cause when it failed.
 *
 * @param invocation the invocation
 * @param response the function's answer as JSON text (empty when it failed)
 * @param log the environment's log lines, init included, with START, END and REPORT
 * @param openedToProxy client connections it opened to the proxy
 * @param openedToDatabase connections it opened to the database endpoint
 * @param proxyOpenedToDatabase database connections the proxy opened meanwhile
 * @param stillOpen connections its environment holds after answering
 * @param pins its pinned sessions by reason and digest
 * @param failure why it failed, when it did
 */
public record AppInvocation(Invocation invocation, String response, List<String> log, long openedToProxy,
        long openedToDatabase, long proxyOpenedToDatabase, int stillOpen, List<PinLedger.Count> pins,
        Optional<String> failure) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Invokes the function once with the event (JSON text).
     *
     * @throws IllegalArgumentException when the event is not JSON
     */
    public static AppInvocation run(LocalApp app, String functionId, String event) {
        try {
            JSON.readTree(event);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the event is not valid JSON: " + e.getOriginalMessage(), e);
        }
        EmulatedFunction function = app.functions().get(functionId);
        long proxyClientsBefore = app.proxy().map(p -> p.clientConnectionsAccepted()).orElse(0L);
        long proxyServersBefore = app.proxy().map(p -> p.databaseConnectionsOpened()).orElse(0L);
        int databaseBefore = app.databaseEndpointConnections();
        Invocation invocation = function.invoke(event);
        String response = AppOutcomes.responseText(invocation);
        int status = invocation.response() instanceof APIGatewayV2HTTPResponse http ? http.getStatusCode() : 200;
        Optional<String> failure = AppOutcomes.failure(invocation, status, response, function.log());
        int stillOpen = function.connectionsTo(app.databasePorts()).values().stream().mapToInt(List::size).sum();
        OptionalLong memory = function.environments().stream()
                .filter(e -> e.id().equals(invocation.environmentId())).mapToLong(EnvironmentInfo::processId)
                .mapToObj(ReportLines::peakMemoryMb).findFirst().orElse(OptionalLong.empty());
        List<String> log = new ArrayList<>();
        List<String> invocationLines = new ArrayList<>();
        for (FunctionLog.Line line : function.log().lines()) {
            if (!line.environmentId().equals(invocation.environmentId())) {
                continue;
            }
            (invocation.requestId().equals(line.requestId()) ? invocationLines : log).add(line.text());
        }
        log.add(ReportLines.start(invocation));
        log.addAll(invocationLines);
        if (invocation.errorType() != null && invocation.outcome() != Invocation.Outcome.SUCCESS) {
            log.add(invocation.errorType() + ": " + invocation.errorMessage());
        }
        log.add(ReportLines.end(invocation));
        log.add(ReportLines.report(invocation, function.memoryMb(), memory));
        return new AppInvocation(invocation, response, log,
                app.proxy().map(p -> p.clientConnectionsAccepted()).orElse(0L) - proxyClientsBefore,
                app.databaseEndpointConnections() - databaseBefore,
                app.proxy().map(p -> p.databaseConnectionsOpened()).orElse(0L) - proxyServersBefore,
                stillOpen, app.pins(functionId), failure);
    }
}
