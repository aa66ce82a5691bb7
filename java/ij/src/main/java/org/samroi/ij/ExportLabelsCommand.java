package org.samroi.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.plugin.PlugIn;
import ij.plugin.frame.Recorder;
import ij.plugin.frame.RoiManager;
import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import org.samroi.core.SamException;

/**
 * Plugins > Segmentation > SAM ROI > Export Labels: the ROIs of the ROI Manager (or of the
 * image's overlay) as a 16-bit label image (ROI k has the value k, later ROIs over earlier
 * ones) and/or a RoiSet .zip.
 *
 * <pre>
 * run("Export Labels", "show");                                   // a new label image
 * run("Export Labels", "labels=[/out/cells-labels.tif] rois=[/out/cells-RoiSet.zip]");
 * run("Export Labels", "from=Overlay rois=[/out/cells.zip]");
 * </pre>
 *
 * The label image has the current image's size and holds the ROIs without a stack position and
 * those of the current plane; the RoiSet holds all of them.
 */
public class ExportLabelsCommand implements PlugIn {

    static final String COMMAND = "Export Labels";
    static final List<String> KEYS = Arrays.asList("from", "show", "labels", "rois");
    static final String[] FROM = {"ROI Manager", "Overlay"};

    @Override
    public void run(String arg) {
        String macroOptions = Macro.getOptions();
        try {
            ImagePlus imp = WindowManager.getCurrentImage();
            if (imp == null) throw SegmentCommand.noImage();
            MacroOptions options = macroOptions != null
                    ? MacroOptions.parse(macroOptions).requireKnown(KEYS, COMMAND) : dialog();
            if (options == null) return;
            export(imp, options);
            if (macroOptions == null && Recorder.record) {
                new OptionList().put("from", options.get("from", FROM[0])).flag("show", options.flag("show"))
                        .putIfGiven("labels", options.get("labels", "")).putIfGiven("rois", options.get("rois", ""))
                        .record();
            }
        } catch (SamException e) {
            Feedback.error(e);
        }
    }

    static void export(ImagePlus imp, MacroOptions options) throws SamException {
        String from = options.get("from", FROM[0]).trim();
        Roi[] rois;
        if (from.equalsIgnoreCase(FROM[1])) {
            Overlay overlay = imp.getOverlay();
            rois = overlay == null ? new Roi[0] : overlay.toArray();
        } else if (from.equalsIgnoreCase(FROM[0])) {
            RoiManager rm = RoiOutputs.manager(false);
            rois = rm == null ? new Roi[0] : rm.getRoisAsArray();
        } else {
            throw new SamException("Unknown from='" + from + "'.", "Use from=[ROI Manager] or from=Overlay.");
        }
        if (rois.length == 0) {
            throw new SamException("The " + (from.equalsIgnoreCase(FROM[1]) ? "overlay of '" + imp.getTitle() + "'"
                    : "ROI Manager") + " has no ROIs to export.", "Segment some objects first.");
        }
        String labelsFile = options.get("labels", "").trim();
        String roisFile = options.get("rois", "").trim();
        boolean show = options.flag("show") || labelsFile.isEmpty() && roisFile.isEmpty();
        if (show || !labelsFile.isEmpty()) {
            if (rois.length > LabelImages.MAX_LABELS) {
                throw new SamException(rois.length + " ROIs do not fit a 16-bit label image.",
                        "Export at most " + LabelImages.MAX_LABELS + " ROIs, or save them as a RoiSet (rois=[FILE]).");
            }
            Roi[] onPlane = SegmentCommand.onPlane(rois, ImagePlanes.current(imp));
            ImagePlus labels = LabelImages.create(imp.getShortTitle() + "-labels", imp.getWidth(), imp.getHeight(), onPlane);
            labels.setCalibration(imp.getCalibration());
            if (!labelsFile.isEmpty()) {
                if (!IJ.saveAsTiff(labels, labelsFile)) {
                    throw new SamException("The label image could not be saved as " + labelsFile + ".",
                            "Choose a folder you can write to.");
                }
                IJ.log("SAM ROI: " + onPlane.length + " labels -> " + labelsFile);
            }
            if (show && !GraphicsEnvironment.isHeadless()) labels.show();
        }
        if (!roisFile.isEmpty()) {
            Path zip = Paths.get(roisFile);
            try {
                RoiSets.save(rois, zip);
            } catch (IOException e) {
                throw new SamException("The RoiSet could not be saved as " + zip + ": " + e.getMessage(),
                        "Choose a folder you can write to.", e);
            }
            IJ.log("SAM ROI: " + rois.length + " ROIs -> " + zip);
        }
    }

    private static MacroOptions dialog() throws SamException {
        GenericDialog gd = new GenericDialog("SAM ROI: Export Labels");
        gd.addChoice("ROIs from", FROM, FROM[0]);
        gd.addCheckbox("Show the label image", true);
        gd.addFileField("Save label image (.tif, optional)", "", 30);
        gd.addFileField("Save RoiSet (.zip, optional)", "", 30);
        gd.showDialog();
        if (gd.wasCanceled()) return null;
        return new OptionList().put("from", gd.getNextChoice()).flag("show", gd.getNextBoolean())
                .putIfGiven("labels", gd.getNextString()).putIfGiven("rois", gd.getNextString()).toOptions();
    }
}
