package org.samroi.ij.annotator;

/**
 * Where the outlines of the Annotator go (the ROI Manager in ImageJ). Called on the
 * Annotator's thread (the event dispatch thread in ImageJ).
 *
 * @param <R> an outline (an ImageJ Roi)
 */
public interface RoiSink<R> {

    /** Adds an outline; returns the handle to name it by later (the sink may store a copy). */
    R add(R outline);

    /**
     * Puts now where old is, keeping its place in the list; if old is gone (the user deleted
     * it), adds now at the end. Returns the handle of now.
     */
    R replace(R old, R now);

    /** Removes an outline if it is still there. */
    void remove(R old);
}
