package dev.lambdalab.db;

import com.zaxxer.hikari.HikariCredentialsProvider;
import com.zaxxer.hikari.util.Credentials;
import java.util.Objects;

/** A static user and password: for local runs and the test bed only (a plain variable is no secret store). */
public final class PasswordCredentials implements HikariCredentialsProvider {

    private final Credentials credentials;

    public PasswordCredentials(String user, String password) {
        this.credentials = Credentials.of(Objects.requireNonNull(user, "user"),
                Objects.requireNonNull(password, "password"));
        Redactor.register(password);
    }

    @Override
    public Credentials getCredentials() {
        return credentials;
    }

    @Override
    public String toString() {
        return "PasswordCredentials{user=" + credentials.getUsername() + ", password=****}";
    }
}
