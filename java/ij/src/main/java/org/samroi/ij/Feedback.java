package org.samroi.ij;

import ij.IJ;
import ij.macro.Interpreter;
import java.util.concurrent.atomic.AtomicBoolean;
import org.samroi.core.EnvironmentMissingException;
import org.samroi.core.ProgressEvent;
import org.samroi.core.ProgressListener;
import org.samroi.core.SamCancelledException;
import org.samroi.core.SamException;
import org.samroi.core.SamSession;

/**
 * What a running command shows: the worker's progress in ImageJ's status bar and progress bar,
 * Esc to cancel, and errors as ImageJ error messages (which also stop a running macro, and in
 * batch mode print to the console). Open it in try-with-resources around the work:
 *
 * <pre>
 * try (Feedback feedback = Feedback.start(SamRoi.session())) {
 *     ... blocking samroi calls; Esc cancels them ...
 * }
 * </pre>
 */
public final class Feedback implements AutoCloseable {

    /** Title of samroi's error messages. */
    public static final String TITLE = "SAM ROI";
    private static final long ESCAPE_POLL_MS = 50;

    private final SamSession session;
    private final ProgressListener listener;
    private final Thread escapeWatcher;
    private final AtomicBoolean open = new AtomicBoolean(true);
    private volatile boolean escaped;

    private Feedback(SamSession session) {
        this.session = session;
        this.listener = Feedback::show;
        session.addListener(listener);
        IJ.resetEscape();
        // IJ.escapePressed() is a flag ImageJ sets on the Esc key; a blocking call cannot poll it.
        this.escapeWatcher = new Thread(this::watchEscape, "samroi-escape");
        escapeWatcher.setDaemon(true);
        escapeWatcher.start();
    }

    /** Show session's progress and let Esc cancel its calls until {@link #close()}. */
    public static Feedback start(SamSession session) {
        return new Feedback(session);
    }

    /** Whether Esc was pressed while this was open. */
    public boolean escaped() {
        return escaped;
    }

    private void watchEscape() {
        while (open.get()) {
            if (IJ.escapePressed()) {
                escaped = true;
                session.cancel();
                IJ.resetEscape();
            }
            try {
                Thread.sleep(ESCAPE_POLL_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void show(ProgressEvent event) {
        if (event.kind() == ProgressEvent.Kind.LOG) return;
        if (event.message() != null && !event.message().isEmpty()) IJ.showStatus(event.message());
        if (event.maximum() > 0) IJ.showProgress((int) event.current(), (int) event.maximum());
    }

    @Override
    public void close() {
        open.set(false);
        escapeWatcher.interrupt();
        session.removeListener(listener);
        IJ.showProgress(1.0);
    }

    /** Show e as an ImageJ error message (stops a running macro); a cancel is only a status line. */
    public static void error(SamException e) {
        if (e instanceof SamCancelledException) {
            IJ.showStatus("SAM ROI: cancelled");
            IJ.log("samroi: " + e.getMessage());
            return;
        }
        if (e instanceof EnvironmentMissingException) {
            // The core's advice names no menu; say where it is in ImageJ.
            error(e.problem() + "\nWhat to do: run Plugins > Segmentation > SAM ROI > Install Model (it installs "
                    + "samroi's Python first), or choose a Python that has samroi in Plugins > Segmentation > SAM ROI > "
                    + "Settings.");
            return;
        }
        error(e.getMessage());
    }

    /**
     * Show message as an ImageJ error message, which also stops a running macro. Without an
     * ImageJ window (a -batch macro, headless) the message goes to the console instead: ImageJ's
     * macro-error dialog would wait for a click nobody can give, so the macro is stopped
     * without it.
     */
    public static void error(String message) {
        IJ.showProgress(1.0);
        IJ.showStatus("");
        if (IJ.getInstance() != null) {
            IJ.error(TITLE, message);
            return;
        }
        System.err.println(TITLE + " error: " + message);
        Interpreter macro = Interpreter.getInstance();
        if (macro != null) {
            macro.setIgnoreErrors(true); // ends the macro quietly: the message is printed above
            macro.abort(message);
        }
    }
}
