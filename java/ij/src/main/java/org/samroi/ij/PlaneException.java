package org.samroi.ij;

import org.samroi.core.SamException;

/** The plane to segment was not chosen, or does not exist in the image. */
public class PlaneException extends SamException {

    private static final long serialVersionUID = 1L;

    public PlaneException(String problem, String nextStep) {
        super(problem, nextStep);
    }
}
