package org.samroi.ij;

import ij.ImagePlus;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.plugin.frame.RoiManager;
import java.awt.GraphicsEnvironment;
import java.util.List;
import java.util.Locale;
import org.samroi.core.ObjectNames;
import org.samroi.core.SamException;

/**
 * Where segmented ROIs go: the ROI Manager, the image's overlay, or a new label image. Only the
 * ROI Manager is a window: without a display (java.awt.headless) it does not exist, and in a
 * batch-mode macro ImageJ's hidden batch-mode ROI Manager takes the ROIs.
 */
public final class RoiOutputs {

    /** The destinations, as macros name them (output=...). */
    public enum Output {
        ROI_MANAGER("ROI Manager"), OVERLAY("Overlay"), LABEL_IMAGE("Label image");

        private final String label;

        Output(String label) {
            this.label = label;
        }

        /** The name in dialogs and macros. */
        public String label() {
            return label;
        }

        /** The output named text (case and spaces/underscores ignored). */
        public static Output parse(String text) throws SamException {
            String t = text.trim().toLowerCase(Locale.ROOT).replace('_', ' ');
            for (Output o : values()) {
                if (o.label.toLowerCase(Locale.ROOT).equals(t)) return o;
            }
            if (t.equals("manager") || t.equals("roi")) return ROI_MANAGER;
            if (t.equals("labels")) return LABEL_IMAGE;
            throw new SamException("Unknown output '" + text + "'.",
                    "Choose output=[ROI Manager], output=Overlay or output=[Label image].");
        }

        static String[] labels() {
            Output[] all = values();
            String[] out = new String[all.length];
            for (int i = 0; i < all.length; i++) out[i] = all[i].label;
            return out;
        }
    }

    private RoiOutputs() {
    }

    /**
     * The ROI Manager to use: the open one, the batch-mode one of a running batch-mode macro,
     * or (create) a new window; null without a display.
     */
    public static RoiManager manager(boolean create) {
        if (GraphicsEnvironment.isHeadless()) return null;
        RoiManager rm = RoiManager.getInstance();
        if (rm == null && create) rm = RoiManager.getRoiManager();
        return rm;
    }

    /**
     * Fails before anything is changed when output cannot be used here: the ROI Manager
     * without a display.
     */
    public static void checkAvailable(Output output) throws SamException {
        if (output == Output.ROI_MANAGER && GraphicsEnvironment.isHeadless()) {
            throw new SamException("The ROI Manager is not available without a display (headless mode).",
                    "Use output=Overlay or output=[Label image], or the scripting methods of org.samroi.ij.SamRoi.");
        }
    }

    /** The next free object number after the samroi-named ROIs of rois (1 when there are none). */
    public static int nextNumber(Roi[] rois) {
        int max = 0;
        if (rois != null) {
            for (Roi r : rois) {
                if (r != null) max = Math.max(max, ObjectNames.promptNumber(r.getName()));
            }
        }
        return max + 1;
    }

    /** The ROIs an output already holds for imp (to continue their numbering). */
    public static Roi[] existing(Output output, ImagePlus imp) {
        switch (output) {
            case ROI_MANAGER:
                RoiManager rm = manager(false);
                return rm == null ? new Roi[0] : rm.getRoisAsArray();
            case OVERLAY:
                Overlay overlay = imp.getOverlay();
                return overlay == null ? new Roi[0] : overlay.toArray();
            default:
                return new Roi[0];
        }
    }

    /** Rename rois "N-model" with N counting up from first (the numbers continue those already in the output). */
    public static void number(List<Roi> rois, int first, String model) {
        int n = first;
        for (Roi roi : rois) roi.setName(ObjectNames.name(n++, model));
    }

    /** Add rois to the ROI Manager (made if needed) or to imp's overlay. */
    public static void add(Output output, ImagePlus imp, List<Roi> rois) {
        if (rois.isEmpty()) return;
        if (output == Output.ROI_MANAGER) {
            RoiManager rm = manager(true);
            for (Roi roi : rois) rm.addRoi(roi);
        } else if (output == Output.OVERLAY) {
            Overlay overlay = imp.getOverlay();
            if (overlay == null) overlay = new Overlay();
            for (Roi roi : rois) overlay.add(roi);
            imp.setOverlay(overlay);
        }
    }

    /** A label image of rois for imp, shown (in a batch-mode macro: kept as a hidden batch-mode image). */
    public static ImagePlus showLabels(ImagePlus imp, List<Roi> rois) {
        ImagePlus labels = LabelImages.create(imp.getShortTitle() + "-labels", imp.getWidth(), imp.getHeight(),
                rois.toArray(new Roi[0]));
        labels.setCalibration(imp.getCalibration());
        if (!GraphicsEnvironment.isHeadless()) labels.show();
        return labels;
    }
}
