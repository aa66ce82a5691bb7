package org.samroi.core;

import java.nio.file.Path;

/** The Python environment samroi needs is not installed, incomplete or not usable. */
public class EnvironmentMissingException extends SamException {

    private static final long serialVersionUID = 1L;

    private final transient Path location;

    public EnvironmentMissingException(String problem, String nextStep, Path location) {
        this(problem, nextStep, location, null);
    }

    public EnvironmentMissingException(String problem, String nextStep, Path location, Throwable cause) {
        super(problem, nextStep, cause);
        this.location = location;
    }

    /** The environment folder or Python executable concerned (may be null). */
    public Path location() {
        return location;
    }
}
