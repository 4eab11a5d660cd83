package dev.lambdalab.testbed;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.lambdalab.testbed.label.Labelled;

/**
 * Lambda's two execution models, which call for two pool sizes: classic Lambda, where an execution environment
 * serves one request at a time (AWS's "Lambda (default)"), and Lambda Managed Instances, where one environment
 * serves up to PerExecutionEnvironmentMaxConcurrency requests at once on threads that share the handler.
 */
public enum ExecutionModel implements Labelled {
    CLASSIC,
    MANAGED_INSTANCES;

    @JsonValue
    @Override
    public String label() {
        return Labelled.of(this);
    }

    /**
     * The model with this label.
     *
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    public static ExecutionModel fromLabel(String label) {
        return Labelled.parse(ExecutionModel.class, "execution model", label);
    }
}
