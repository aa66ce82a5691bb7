package org.samroi.core;

/**
 * Something a long operation reports: a progress step (message, and current/maximum when the
 * amount of work is known) or a log line (output of the installer or the worker's stderr).
 */
public final class ProgressEvent {

    /** What kind of event. */
    public enum Kind {
        /** A step of a long operation; {@link #maximum()} is 0 when the amount is unknown. */
        PROGRESS,
        /** A line of detail for a log window. */
        LOG
    }

    private final Kind kind;
    private final String source;
    private final String message;
    private final long current;
    private final long maximum;

    public ProgressEvent(Kind kind, String source, String message, long current, long maximum) {
        this.kind = kind;
        this.source = source;
        this.message = message == null ? "" : message;
        this.current = current;
        this.maximum = maximum;
    }

    static ProgressEvent progress(String source, String message, long current, long maximum) {
        return new ProgressEvent(Kind.PROGRESS, source, message, current, maximum);
    }

    static ProgressEvent log(String source, String line) {
        return new ProgressEvent(Kind.LOG, source, line, 0, 0);
    }

    public Kind kind() {
        return kind;
    }

    /** Which operation reported it, e.g. "install", "start", "set_image". */
    public String source() {
        return source;
    }

    public String message() {
        return message;
    }

    public long current() {
        return current;
    }

    /** 0 when the amount of work is unknown (show an indeterminate bar). */
    public long maximum() {
        return maximum;
    }

    /** current/maximum in [0, 1], or -1 when unknown. */
    public double fraction() {
        return maximum > 0 ? Math.max(0, Math.min(1, (double) current / maximum)) : -1;
    }

    @Override
    public String toString() {
        if (kind == Kind.LOG) return "[" + source + "] " + message;
        return "[" + source + "] " + message + (maximum > 0 ? " (" + current + "/" + maximum + ")" : "");
    }
}
