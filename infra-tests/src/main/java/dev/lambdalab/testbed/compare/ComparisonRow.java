package dev.lambdalab.testbed.compare;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One measure of one route, on AWS and as the local run predicted it.
 *
 * @param route {@code broken} or {@code fixed}
 * @param measure what is compared
 * @param detail a refinement of the measure (an error cause), or empty
 * @param aws AWS's value, or {@code null} when CloudWatch had no datapoint
 * @param local the local prediction
 * @param agreement whether they agree within the measure's tolerance
 * @param likelyReason for a disagreement, the likely reason; else empty
 */
public record ComparisonRow(String route, Measure measure, String detail, Double aws, double local,
        Agreement agreement, String likelyReason) {

    /** The verdict of one row. */
    public enum Agreement {
        AGREES,
        DISAGREES,
        /** AWS published no value (no datapoint): nothing to compare. */
        NO_DATA
    }

    static ComparisonRow of(String route, Measure measure, String detail, Double aws, double local) {
        if (aws == null) {
            return new ComparisonRow(route, measure, detail, null, local, Agreement.NO_DATA, "");
        }
        boolean agrees = measure.tolerance().agrees(aws, local);
        return new ComparisonRow(route, measure, detail, aws, local, agrees ? Agreement.AGREES : Agreement.DISAGREES,
                agrees ? "" : measure.likelyReason());
    }

    /** AWS's value over the prediction, or {@code null} when either is missing or the prediction is 0. */
    @JsonProperty("ratio")
    public Double ratio() {
        return aws == null || local == 0 ? null : aws / local;
    }

    /** The measure's name with its detail. */
    @JsonProperty("label")
    public String label() {
        return detail.isEmpty() ? measure.label() : measure.label() + ": " + detail;
    }
}
