package org.samroi.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.gui.PointRoi;
import ij.gui.Roi;
import ij.plugin.PlugIn;
import ij.plugin.frame.Recorder;
import ij.plugin.frame.RoiManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.samroi.core.Prompt;
import org.samroi.core.PromptException;
import org.samroi.core.PromptText;
import org.samroi.core.SamException;
import org.samroi.core.SegmentedObject;

/**
 * Plugins > Segmentation > SAM ROI > Segment: one object from typed prompts or the current
 * selection, or one per ROI of the ROI Manager, on the current plane (or the plane the options
 * choose). With macro options no dialog is shown:
 *
 * <pre>
 * run("Segment", "points=120,80;130,95 negative=100,60");     // one object: 2 clicks, 1 background click
 * run("Segment", "box=40,60,50,45 model=mobilesam");         // a box (x,y,width,height)
 * run("Segment", "prompt=selection output=Overlay");         // the current point/rectangle selection
 * run("Segment", "prompt=[ROI Manager]");                     // one object per point/rectangle ROI there
 * run("Segment", "points=12,30 all_parts simplify=1 output=[Label image]");
 * </pre>
 *
 * Plus the options of {@link CommonOptions}. Nothing is added anywhere unless segmenting
 * succeeded; an error leaves the ROI Manager, overlay and selection as they were.
 */
public class SegmentCommand implements PlugIn {

    static final String COMMAND = "Segment";
    static final List<String> KEYS;

    static {
        List<String> keys = new ArrayList<>(CommonOptions.KEYS);
        keys.addAll(Arrays.asList("points", "negative", "box", "prompt", "output"));
        KEYS = Collections.unmodifiableList(keys);
    }

    /** Where the prompts come from. */
    enum Source {
        TEXT("points/box"), SELECTION("selection"), MANAGER("ROI Manager");

        final String label;

        Source(String label) {
            this.label = label;
        }

        static Source parse(String text) throws SamException {
            for (Source s : values()) {
                if (s.label.equalsIgnoreCase(text.trim()) || s.name().equalsIgnoreCase(text.trim())) return s;
            }
            throw new SamException("Unknown prompt source '" + text + "'.",
                    "Use prompt=selection or prompt=[ROI Manager], or give points= and/or box=.");
        }
    }

    @Override
    public void run(String arg) {
        String macroOptions = Macro.getOptions();
        boolean macro = macroOptions != null;
        try {
            ImagePlus imp = WindowManager.getCurrentImage();
            if (imp == null) throw noImage();
            MacroOptions options = macro ? MacroOptions.parse(macroOptions).requireKnown(KEYS, COMMAND) : dialog(imp);
            if (options == null) return; // dialog cancelled
            run(imp, options, macro);
        } catch (SamException e) {
            Feedback.error(e);
        }
    }

    static SamException noImage() {
        return new SamException("There is no image open.", "Open the image to segment, then run SAM ROI again.");
    }

    /** Segment on imp as options say; records the call when the recorder is on. */
    static void run(ImagePlus imp, MacroOptions options, boolean macro) throws SamException {
        CommonOptions common = CommonOptions.read(options, SamRoi.settings());
        RoiOutputs.Output output = RoiOutputs.Output.parse(options.get("output", RoiOutputs.Output.ROI_MANAGER.label()));
        RoiOutputs.checkAvailable(output);
        ImagePlanes.Plane plane = common.plane(imp, macro);
        Source source = source(options, imp);
        List<Prompt> prompts = prompts(source, options, imp, plane);

        List<SegmentedObject> objects;
        Feedback feedback = Feedback.start(SamRoi.session());
        try {
            IJ.showStatus("SAM ROI: segmenting " + prompts.size() + " object(s) on " + plane.describe());
            objects = SamRoi.segment(plane, common.imageOptions(), prompts, common.segmentOptions());
        } finally {
            feedback.close();
        }
        List<Roi> rois = new ArrayList<>();
        for (int i = 0; i < objects.size(); i++) {
            Roi roi = RoiFactory.toRoi(objects.get(i), i + 1, common.model(), plane);
            if (roi != null) rois.add(roi);
            else IJ.log("SAM ROI: prompt " + (i + 1) + " (" + prompts.get(i) + "): the model found no object there.");
        }
        RoiOutputs.number(rois, RoiOutputs.nextNumber(RoiOutputs.existing(output, imp)), common.model());
        if (output == RoiOutputs.Output.LABEL_IMAGE) RoiOutputs.showLabels(imp, rois);
        else RoiOutputs.add(output, imp, rois);
        IJ.showStatus("SAM ROI: " + rois.size() + " object(s) from " + prompts.size() + " prompt(s)");
        if (!macro && Recorder.record) record(options, common, plane, source, output);
    }

    private static Source source(MacroOptions options, ImagePlus imp) throws SamException {
        if (options.has("prompt")) return Source.parse(options.get("prompt", ""));
        if (!options.get("points", "").trim().isEmpty() || !options.get("box", "").trim().isEmpty()
                || !options.get("negative", "").trim().isEmpty()) {
            return Source.TEXT;
        }
        if (imp.getRoi() != null) return Source.SELECTION;
        throw new PromptException(-1, null, "No prompt was given: no points, no box and no selection on '"
                + imp.getTitle() + "'.");
    }

    private static List<Prompt> prompts(Source source, MacroOptions options, ImagePlus imp, ImagePlanes.Plane plane)
            throws SamException {
        List<Prompt> prompts = new ArrayList<>();
        switch (source) {
            case TEXT:
                List<Prompt.Point> clicks = new ArrayList<>(PromptText.parsePoints(options.get("points", ""), true));
                clicks.addAll(PromptText.parsePoints(options.get("negative", ""), false));
                Prompt.Box box = PromptText.parseRectangle(options.get("box", ""));
                if (clicks.isEmpty() && box == null) {
                    throw new PromptException(-1, null, "No prompt was given: points, negative and box are all empty.");
                }
                prompts.add(Prompt.of(clicks, box));
                break;
            case SELECTION:
                prompts.add(PromptRois.grouped(imp.getRoi()));
                break;
            default:
                RoiManager rm = RoiOutputs.manager(false);
                Roi[] rois = rm == null ? new Roi[0] : onPlane(rm.getRoisAsArray(), plane);
                for (Roi roi : rois) {
                    if (roi instanceof PointRoi || PromptRois.isRectangle(roi)) prompts.add(PromptRois.grouped(roi));
                }
                if (prompts.isEmpty()) {
                    throw new PromptException(-1, null, "The ROI Manager has no point or rectangle ROIs on "
                            + plane.describe() + " to use as prompts.");
                }
        }
        for (int i = 0; i < prompts.size(); i++) prompts.get(i).checkInside(i, plane.width(), plane.height());
        return prompts;
    }

    /** The ROIs without a stack position and those on plane. */
    static Roi[] onPlane(Roi[] rois, ImagePlanes.Plane plane) {
        List<Roi> out = new ArrayList<>();
        for (Roi roi : rois) {
            if (roi.hasHyperStackPosition()) {
                if ((roi.getCPosition() == 0 || roi.getCPosition() == plane.channel())
                        && (roi.getZPosition() == 0 || roi.getZPosition() == plane.slice())
                        && (roi.getTPosition() == 0 || roi.getTPosition() == plane.frame())) {
                    out.add(roi);
                }
            } else if (roi.getPosition() == 0 || roi.getPosition() == plane.stackIndex()) {
                out.add(roi);
            }
        }
        return out.toArray(new Roi[0]);
    }

    /** The dialog; null when cancelled. Its fields become the same options a macro gives. */
    private static MacroOptions dialog(ImagePlus imp) throws SamException {
        PluginSettings settings = SamRoi.settings();
        GenericDialog gd = new GenericDialog("SAM ROI: Segment");
        gd.addChoice("Model", PluginSettings.MODELS, settings.model());
        String[] sources = {Source.TEXT.label, Source.SELECTION.label, Source.MANAGER.label};
        gd.addChoice("Prompt", sources, imp.getRoi() != null ? Source.SELECTION.label : Source.TEXT.label);
        gd.addStringField("Points (x,y;x,y)", "", 25);
        gd.addStringField("Negative points", "", 25);
        gd.addStringField("Box (x,y,w,h)", "", 25);
        gd.addCheckbox("All parts (not only the largest)", false);
        gd.addNumericField("Simplify (pixels)", 0, 1);
        gd.addChoice("Output", RoiOutputs.Output.labels(), RoiOutputs.Output.ROI_MANAGER.label());
        gd.showDialog();
        if (gd.wasCanceled()) return null;
        OptionList list = new OptionList().put("model", gd.getNextChoice()).put("prompt", gd.getNextChoice());
        list.putIfGiven("points", gd.getNextString()).putIfGiven("negative", gd.getNextString())
                .putIfGiven("box", gd.getNextString());
        list.flag("all_parts", gd.getNextBoolean());
        double simplify = gd.getNextNumber();
        if (simplify > 0) list.put("simplify", simplify);
        list.put("output", gd.getNextChoice());
        return list.toOptions();
    }

    /**
     * Record the call so that replaying it segments the same: typed prompts as given, a selection
     * as prompt=selection (the recorder has recorded the selection itself just before).
     */
    private static void record(MacroOptions options, CommonOptions common, ImagePlanes.Plane plane, Source source,
            RoiOutputs.Output output) {
        OptionList list = CommonOptions.record(common.imageOptions(), common.segmentOptions(), plane);
        if (source == Source.TEXT) {
            for (String key : new String[] {"points", "negative", "box"}) list.putIfGiven(key, options.get(key, ""));
        } else {
            list.put("prompt", source.label);
        }
        list.put("output", output.label()).record();
    }
}
