package org.samroi.core;

/** The operation was cancelled (by the user, or because the session was closed). */
public class SamCancelledException extends SamException {

    private static final long serialVersionUID = 1L;

    public SamCancelledException(String what) {
        super(what + " was cancelled.", "");
    }
}
