package org.samroi.ij.annotator;

import ij.IJ;
import ij.WindowManager;
import ij.plugin.PlugIn;

import java.awt.Frame;
import java.awt.GraphicsEnvironment;

/**
 * Plugins &gt; Segmentation &gt; SAM ROI &gt; Annotator: opens the Annotator's window (or brings
 * the open one to the front). Interactive only; macros and headless scripts use the Segment
 * command or {@link org.samroi.ij.SamRoi}.
 */
public final class AnnotatorCommand implements PlugIn {

    @Override
    public void run(String arg) {
        if (GraphicsEnvironment.isHeadless()) {
            IJ.error("SAM ROI Annotator", "The Annotator needs a screen and a mouse. In headless mode and in macros use "
                    + "Plugins > Segmentation > SAM ROI > Segment (or the SamRoi class from scripts).");
            return;
        }
        Frame open = WindowManager.getFrame(AnnotatorPanel.TITLE);
        if (open instanceof AnnotatorPanel) {
            open.toFront();
            return;
        }
        java.awt.EventQueue.invokeLater(() -> new AnnotatorPanel().open());
    }
}
