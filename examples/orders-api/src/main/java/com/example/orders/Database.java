package com.example.orders;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** Where the orders live: the database behind the proxy, with the credentials from Secrets Manager. */
final class Database {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecretsManagerClient SECRETS = SecretsManagerClient.builder()
            .httpClient(UrlConnectionHttpClient.create()).build();

    private Database() {
    }

    /** A connection pool to the orders database, logged in with the secret named by DB_SECRET_ARN. */
    static HikariDataSource connect() {
        JsonNode secret;
        try {
            secret = JSON.readTree(SECRETS.getSecretValue(request -> request.secretId(System.getenv("DB_SECRET_ARN")))
                    .secretString());
        } catch (Exception e) {
            throw new IllegalStateException("could not read the database secret: " + e.getMessage(), e);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://" + System.getenv("DB_HOST") + ":" + System.getenv("DB_PORT") + "/"
                + System.getenv("DB_NAME"));
        config.setUsername(secret.path("username").asText());
        config.setPassword(secret.path("password").asText());
        config.setConnectionInitSql("SET search_path TO orders");
        return new HikariDataSource(config);
    }
}
