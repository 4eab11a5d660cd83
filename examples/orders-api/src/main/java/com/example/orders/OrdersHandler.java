package com.example.orders;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * GET /orders/{id}: one order from the orders table. An example of a Lambda function as teams often write one,
 * with the two mistakes this project is about (see this directory's README): the handler builds its connection
 * pool on every request, and every connection runs a SET, which pins the session at RDS Proxy.
 */
public class OrdersHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        String id = event.getPathParameters() == null ? null : event.getPathParameters().get("id");
        if (id == null || !id.matches("\\d{1,18}")) {
            return respond(400, Map.of("message", "id must be a number"));
        }
        DataSource dataSource = Database.connect();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT id, customer, total_cents, status FROM orders WHERE id = ?")) {
            statement.setLong(1, Long.parseLong(id));
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return respond(404, Map.of("message", "no order " + id));
                }
                Map<String, Object> order = new LinkedHashMap<>();
                order.put("id", rows.getLong("id"));
                order.put("customer", rows.getString("customer"));
                order.put("totalCents", rows.getLong("total_cents"));
                order.put("status", rows.getString("status"));
                return respond(200, order);
            }
        } catch (SQLException e) {
            context.getLogger().log("ERROR reading order " + id + ": " + e.getMessage());
            return respond(500, Map.of("message", "could not read the order", "error", String.valueOf(e.getMessage())));
        }
    }

    private static APIGatewayV2HTTPResponse respond(int status, Object body) {
        try {
            return APIGatewayV2HTTPResponse.builder().withStatusCode(status)
                    .withHeaders(Map.of("content-type", "application/json"))
                    .withBody(JSON.writeValueAsString(body)).build();
        } catch (Exception e) {
            return APIGatewayV2HTTPResponse.builder().withStatusCode(500).withBody("{}").build();
        }
    }
}
