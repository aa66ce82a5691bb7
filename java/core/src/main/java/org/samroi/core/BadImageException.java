package org.samroi.core;

/** The image handed to samroi cannot be used. */
public class BadImageException extends SamException {

    private static final long serialVersionUID = 1L;

    /** Why the image was refused. */
    public enum Reason {
        /** Width or height is 0, or there are no pixels. */
        EMPTY,
        /** A pixel type samroi does not take. */
        UNSUPPORTED_TYPE,
        /** The pixel array does not hold width x height pixels. */
        SIZE_MISMATCH
    }

    private final Reason reason;

    public BadImageException(Reason reason, String problem) {
        this(reason, problem, nextStep(reason));
    }

    /** With the host's own advice (the default one names ImageJ's menus). */
    public BadImageException(Reason reason, String problem, String nextStep) {
        super(problem, nextStep);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    private static String nextStep(Reason reason) {
        switch (reason) {
            case EMPTY:
                return "Open or select an image that has pixels.";
            case UNSUPPORTED_TYPE:
                return "Convert the image to 8-bit, 16-bit, 32-bit or RGB (Image > Type) and try again.";
            default:
                return "This is a bug in the calling plugin; please report it to the samroi developers.";
        }
    }
}
