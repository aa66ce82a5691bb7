package org.samroi.core;

/**
 * The worker reported an error while running a call (a Python exception). For errors samroi
 * raises on purpose (samroi.errors.*) the message is written for users.
 */
public class WorkerException extends SamException {

    private static final long serialVersionUID = 1L;

    private final String pythonType;
    private final String pythonMessage;
    private final String traceback;

    public WorkerException(String call, String pythonType, String pythonMessage, String traceback) {
        super(isUserError(pythonType) ? pythonMessage
                : "samroi's Python worker failed in " + call + ": " + pythonType
                        + (pythonMessage.isEmpty() ? "" : ": " + pythonMessage),
                isUserError(pythonType) ? "Check the image or the settings and try again."
                        : "Try again; if it keeps failing, send the details in the log to the samroi developers.");
        this.pythonType = pythonType;
        this.pythonMessage = pythonMessage;
        this.traceback = traceback == null ? "" : traceback;
    }

    /** Build from an appose failure report (a Python traceback). */
    public static WorkerException fromTraceback(String call, String traceback) {
        String type = "Error";
        String message = traceback == null ? "" : traceback.trim();
        if (traceback != null) {
            String[] lines = traceback.trim().split("\r?\n");
            String last = lines.length == 0 ? "" : lines[lines.length - 1].trim();
            int colon = last.indexOf(": ");
            if (colon > 0 && !last.substring(0, colon).contains(" ")) {
                type = last.substring(0, colon);
                message = last.substring(colon + 2);
            } else if (!last.isEmpty() && !last.contains(" ")) {
                type = last;
                message = "";
            } else {
                message = last;
            }
        }
        return new WorkerException(call, type, message, traceback);
    }

    /** The Python exception class, e.g. "samroi.errors.InputError". */
    public String pythonType() {
        return pythonType;
    }

    /** The Python exception message. */
    public String pythonMessage() {
        return pythonMessage;
    }

    /** The full Python traceback. */
    public String traceback() {
        return traceback;
    }

    private static boolean isUserError(String type) {
        return type != null && type.startsWith("samroi.errors.");
    }
}
