package org.samroi.core;

/** Segmenting was asked for before any image was given to samroi. */
public class NoImageException extends SamException {

    private static final long serialVersionUID = 1L;

    public NoImageException(String problem) {
        super(problem, "Select the image to segment first (the plugin sends it to samroi), then click again.");
    }
}
