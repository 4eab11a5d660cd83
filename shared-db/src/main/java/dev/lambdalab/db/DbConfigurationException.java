package dev.lambdalab.db;

import java.util.List;

/**
 * Thrown during initialisation when a setting is missing or invalid. Its message names every bad
 * variable, the value it had (masked when it may hold a secret) and what is allowed, for example
 * {@code POOL_MAX_SIZE must be an integer from 1 to 100, got "abc"}.
 */
public final class DbConfigurationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    DbConfigurationException(List<String> problems) {
        super(problems.size() == 1
                ? "Invalid database settings: " + problems.get(0)
                : "Invalid database settings (" + problems.size() + "): " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    DbConfigurationException(String problem, Throwable cause) {
        super("Invalid database settings: " + problem, cause);
        this.problems = List.of(problem);
    }

    /** Each problem on its own, one sentence each. */
    public List<String> problems() {
        return problems;
    }
}
