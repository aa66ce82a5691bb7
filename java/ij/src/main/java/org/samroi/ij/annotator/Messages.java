package org.samroi.ij.annotator;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import org.samroi.core.SamCancelledException;
import org.samroi.core.SamException;

/** The Annotator's words for the user. */
final class Messages {

    /** How to use the Annotator, in one line. */
    static final String HOW = "Box: rectangle tool. Click: point tool. Shift-click: add to the last object, "
            + "alt-click: remove from it. Ctrl+Z: undo.";

    private Messages() {
    }

    static String number(int n) {
        return String.format(java.util.Locale.ROOT, "object %03d", n);
    }

    /** A failure in one or two sentences: what went wrong, then what to do. */
    static String failure(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof SamCancelledException) return "Cancelled.";
        if (t instanceof SamException) {
            SamException e = (SamException) t;
            return e.nextStep().isEmpty() ? e.problem() : e.problem() + " " + e.nextStep();
        }
        return "samroi failed: " + t + " (please report this, with the Log window's content).";
    }
}
