package dev.lambdalab.db;

/** Where a setting's value came from, as {@link DbSettings#origin(Setting)} reports it and error messages name it. */
public enum Origin {
    /** Its own environment variable. */
    VARIABLE("variable"),
    /** DATABASE_URL, for a setting whose own variable was unset. */
    DATABASE_URL("DATABASE_URL"),
    /** The catalogue's default. */
    DEFAULT("default"),
    /** Nowhere: unset, with no default. */
    UNSET("unset");

    private final String label;

    Origin(String label) {
        this.label = label;
    }

    /** As the settings dump writes it: {@code variable}, {@code DATABASE_URL}, {@code default}, {@code unset}. */
    @Override
    public String toString() {
        return label;
    }
}
