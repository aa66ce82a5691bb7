package org.samroi.core;

/**
 * Receives progress steps and log lines. Called on a samroi background thread, never on the
 * thread that started the operation: a Swing UI must hop to the event dispatch thread itself.
 * Must not block for long.
 */
@FunctionalInterface
public interface ProgressListener {

    /** A listener that ignores everything. */
    ProgressListener NONE = event -> {
    };

    void onEvent(ProgressEvent event);

    /** Safely notify, never letting a listener's exception escape. */
    static void notify(ProgressListener listener, ProgressEvent event) {
        if (listener == null) return;
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            // a broken listener must not break samroi
        }
    }
}
