package org.samroi.core;

import java.util.Map;

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
        this(call, pythonType, pythonMessage, traceback, isUserError(pythonType), null);
    }

    /**
     * @param userError whether the error is one the user can fix (a samroi error): the message
     *            is then shown as it is
     * @param nextStep what to do, or null for the generic advice
     */
    public WorkerException(String call, String pythonType, String pythonMessage, String traceback, boolean userError,
            String nextStep) {
        super(userError ? pythonMessage
                : "samroi's Python worker failed in " + call + ": " + pythonType
                        + (pythonMessage.isEmpty() ? "" : ": " + pythonMessage),
                nextStep != null ? nextStep
                        : userError ? "Check the image or the settings and try again."
                                : "Try again; if it keeps failing, send the details in the log to the samroi developers.");
        this.pythonType = pythonType;
        this.pythonMessage = pythonMessage;
        this.traceback = traceback == null ? "" : traceback;
    }

    /**
     * The exception for a samroi error the worker answered as outputs
     * {@code {"error": {kind, type, message, problem?, next_step?, index?, model?, checkpoint?}, "traceback"}}
     * (see samroi.worker): a typed exception for the kinds Java knows, else a WorkerException.
     */
    static SamException fromErrorOutputs(String call, Map<?, ?> error, Object traceback) {
        String kind = String.valueOf(error.get("kind"));
        String type = String.valueOf(error.get("type"));
        String message = error.get("message") == null ? "" : String.valueOf(error.get("message"));
        String problem = error.get("problem") == null ? message : String.valueOf(error.get("problem"));
        String tb = traceback == null ? "" : String.valueOf(traceback);
        switch (kind) {
            case "prompt": {
                Object index = error.get("index");
                return new PromptException(index instanceof Number ? ((Number) index).intValue() : -1, null, problem);
            }
            case "unknown_model":
                return new UnknownModelException(String.valueOf(error.get("model")), problem);
            case "missing_weights": {
                Object checkpoint = error.get("checkpoint");
                return new MissingWeightsException(String.valueOf(error.get("model")),
                        checkpoint == null ? null : String.valueOf(checkpoint), problem);
            }
            case "no_image":
                return new NoImageException("No image has been given to samroi yet.");
            default:
                return new WorkerException(call, type, message, tb, true,
                        error.get("next_step") == null ? null : String.valueOf(error.get("next_step")));
        }
    }

    /** Build from an appose failure report (a Python traceback). */
    public static WorkerException fromTraceback(String call, String traceback) {
        String type = "Error";
        String message = traceback == null ? "" : traceback.trim();
        if (traceback != null) {
            String[] lines = traceback.trim().split("\r?\n");
            // The exception line follows the last frame ("  File ...", then its indented source
            // lines); a multi-line message goes on below it.
            int header = lines.length - 1;
            for (int i = lines.length - 1; i >= 0; i--) {
                if (lines[i].startsWith("  File \"")) {
                    int j = i + 1;
                    while (j < lines.length && lines[j].startsWith("    ")) j++;
                    if (j < lines.length) header = j;
                    break;
                }
            }
            String last = header < 0 ? "" : lines[header].trim();
            StringBuilder more = new StringBuilder();
            for (int k = header + 1; k < lines.length; k++) more.append('\n').append(lines[k]);
            int colon = last.indexOf(": ");
            if (colon > 0 && !last.substring(0, colon).contains(" ")) {
                type = last.substring(0, colon);
                message = last.substring(colon + 2) + more;
            } else if (!last.isEmpty() && !last.contains(" ") && more.length() == 0) {
                type = last;
                message = "";
            } else {
                message = last + more;
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
