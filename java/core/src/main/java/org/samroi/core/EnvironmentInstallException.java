package org.samroi.core;

import java.nio.file.Path;

/** Installing the Python environment failed; nothing was marked ready. */
public class EnvironmentInstallException extends SamException {

    private static final long serialVersionUID = 1L;

    private final transient Path logFile;
    private final String outputTail;

    public EnvironmentInstallException(String problem, String nextStep, Path logFile, String outputTail,
            Throwable cause) {
        super(problem + (outputTail == null || outputTail.isEmpty() ? "" : "\nLast output:\n" + outputTail),
                nextStep, cause);
        this.logFile = logFile;
        this.outputTail = outputTail == null ? "" : outputTail;
    }

    /** The full installation log (may be null). */
    public Path logFile() {
        return logFile;
    }

    /** The last lines the failing step printed. */
    public String outputTail() {
        return outputTail;
    }
}
