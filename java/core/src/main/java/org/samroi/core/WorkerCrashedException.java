package org.samroi.core;

/**
 * The Python worker process stopped while working (killed, out of memory, crashed in native
 * code) or could not be started. The next call starts a new worker.
 */
public class WorkerCrashedException extends SamException {

    private static final long serialVersionUID = 1L;

    private final Integer exitCode;
    private final String stderrTail;

    public WorkerCrashedException(String what, Integer exitCode, String stderrTail, Throwable cause) {
        super(what + describe(exitCode) + (stderrTail == null || stderrTail.isEmpty() ? ""
                : "\nLast messages from the worker:\n" + stderrTail),
                "Try again: samroi starts a new worker automatically. If it keeps happening, close other "
                        + "programs to free memory, try a smaller image, or send the samroi log to the "
                        + "samroi developers.",
                cause);
        this.exitCode = exitCode;
        this.stderrTail = stderrTail == null ? "" : stderrTail;
    }

    /** The worker's exit code, when known. */
    public Integer exitCode() {
        return exitCode;
    }

    /** The last lines the worker wrote to its error stream. */
    public String stderrTail() {
        return stderrTail;
    }

    private static String describe(Integer exitCode) {
        if (exitCode == null) return ".";
        if (exitCode == 137 || exitCode == -9 || exitCode == 9)
            return " (exit code " + exitCode + ": it was killed, for example by the system when memory ran out).";
        return " (exit code " + exitCode + ").";
    }
}
