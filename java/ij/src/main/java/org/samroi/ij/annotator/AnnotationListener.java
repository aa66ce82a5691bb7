package org.samroi.ij.annotator;

/**
 * What an {@link AnnotationController} reports, on its own thread (the event dispatch thread in
 * ImageJ). Every method has an empty default.
 */
public interface AnnotationListener {

    /** A prompt for object number went to the segmenter (refining: the object existed before). */
    default void working(int number, boolean refining) {
    }

    /**
     * The outline of object number was added or changed in the sink; gestureNanos is the
     * {@link System#nanoTime()} of the gesture it answers (for latency measurements).
     */
    default void shown(int number, long gestureNanos) {
    }

    /** Object number was removed by undo. */
    default void undone(int number) {
    }

    /** The model found nothing for the prompt of object number; the gesture was dropped. */
    default void nothingFound(int number) {
    }

    /** Segmenting object number failed (or was cancelled); the gesture was dropped. */
    default void failed(int number, Throwable error) {
    }

    /** A gesture that cannot be applied, with the reason for the user. */
    default void refused(String reason) {
    }

    /** Nothing is running or waiting any more. */
    default void idle() {
    }
}
