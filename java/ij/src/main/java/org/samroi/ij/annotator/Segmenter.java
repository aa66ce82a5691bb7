package org.samroi.ij.annotator;

import java.util.concurrent.CompletableFuture;

import org.samroi.core.Prompt;

/**
 * Turns one prompt on one image plane into an outline, off the caller's thread.
 *
 * @param <P> an image plane with the options to segment it with
 * @param <R> an outline (an ImageJ Roi)
 */
public interface Segmenter<P, R> {

    /**
     * Segments prompt on plane; the outline is named after number. Completes with null when the
     * model found nothing there, exceptionally on failure or cancel. May also throw at once
     * (e.g. an image type samroi cannot take); that counts as a failure.
     */
    CompletableFuture<R> segment(P plane, Prompt prompt, int number);
}
