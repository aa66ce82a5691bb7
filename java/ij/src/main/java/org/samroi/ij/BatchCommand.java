package org.samroi.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.gui.Roi;
import ij.plugin.PlugIn;
import ij.plugin.frame.Recorder;
import ij.plugin.frame.RoiManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.samroi.core.Prompt;
import org.samroi.core.PromptException;
import org.samroi.core.SamCancelledException;
import org.samroi.core.SamException;
import org.samroi.core.SegmentedObject;

/**
 * Plugins > Segmentation > SAM ROI > Batch from ROIs: one object per point and per rectangle
 * ROI of the image's selection and of the ROI Manager (those on the segmented plane). Each
 * point of a multi-point selection, e.g. from Process > Find Maxima with output "Point
 * Selection", is its own object. Results stream into the ROI Manager (or overlay) as they
 * come, with a progress bar; Esc cancels (objects already added stay). The prompt ROIs stay
 * unless {@code remove} is given.
 *
 * <pre>
 * run("Find Maxima...", "prominence=500 output=[Point Selection]");
 * run("Batch from ROIs", "model=efficientsam-ti from=selection remove");
 * </pre>
 *
 * Options: {@code from=both|selection|[ROI Manager]} (default both), {@code remove},
 * {@code output=[ROI Manager]|Overlay|[Label image]}, plus those of {@link CommonOptions}.
 */
public class BatchCommand implements PlugIn {

    static final String COMMAND = "Batch from ROIs";
    /** Prompts per worker call: results arrive in steps this big (the worker decodes them in batches of 8). */
    static final int CHUNK = 32;
    static final List<String> KEYS;
    static final String[] FROM = {"both", "selection", "ROI Manager"};

    static {
        List<String> keys = new ArrayList<>(CommonOptions.KEYS);
        keys.addAll(Arrays.asList("from", "remove", "output"));
        KEYS = Collections.unmodifiableList(keys);
    }

    @Override
    public void run(String arg) {
        String macroOptions = Macro.getOptions();
        boolean macro = macroOptions != null;
        try {
            ImagePlus imp = WindowManager.getCurrentImage();
            if (imp == null) throw SegmentCommand.noImage();
            MacroOptions options = macro ? MacroOptions.parse(macroOptions).requireKnown(KEYS, COMMAND) : dialog();
            if (options == null) return;
            run(imp, options, macro);
        } catch (SamException e) {
            Feedback.error(e);
        }
    }

    static void run(ImagePlus imp, MacroOptions options, boolean macro) throws SamException {
        CommonOptions common = CommonOptions.read(options, SamRoi.settings());
        RoiOutputs.Output output = RoiOutputs.Output.parse(options.get("output", RoiOutputs.Output.ROI_MANAGER.label()));
        RoiOutputs.checkAvailable(output);
        String from = from(options.get("from", FROM[0]));
        boolean remove = options.flag("remove");
        ImagePlanes.Plane plane = common.plane(imp, macro);

        Roi selection = from.equals(FROM[2]) ? null : imp.getRoi();
        RoiManager rm = RoiOutputs.manager(false);
        Roi[] managed = from.equals(FROM[1]) || rm == null ? new Roi[0] : SegmentCommand.onPlane(rm.getRoisAsArray(), plane);
        List<Roi> candidates = new ArrayList<>();
        if (selection != null) candidates.add(selection);
        candidates.addAll(Arrays.asList(managed));
        PromptRois prompts = PromptRois.of(candidates.toArray(new Roi[0]));
        if (prompts.prompts().isEmpty()) {
            throw new PromptException(-1, null, "There are no point or rectangle ROIs to segment from ("
                    + (from.equals(FROM[1]) ? "the selection" : from.equals(FROM[2]) ? "the ROI Manager" : "the selection "
                            + "and the ROI Manager") + " of " + plane.describe() + ").");
        }
        List<Prompt> list = prompts.prompts();
        for (int i = 0; i < list.size(); i++) list.get(i).checkInside(i, plane.width(), plane.height());
        if (prompts.skipped() > 0) {
            IJ.log("SAM ROI: " + prompts.skipped() + " ROI(s) that are neither points nor rectangles were left out.");
        }

        Result result = segmentInChunks(plane, common, list, output, imp);
        if (output == RoiOutputs.Output.LABEL_IMAGE) RoiOutputs.showLabels(imp, result.rois);
        if (remove && !result.cancelled) removePrompts(imp, selection, prompts.sources(), rm);
        IJ.showStatus(String.format(Locale.ROOT, "SAM ROI: %d object(s) from %d prompt(s) in %.1f s%s", result.rois.size(),
                list.size(), result.seconds, result.cancelled ? " (cancelled)" : ""));
        if (!macro && Recorder.record) {
            CommonOptions.record(common.imageOptions(), common.segmentOptions(), plane).put("from", from)
                    .flag("remove", remove).put("output", output.label()).record();
        }
    }

    /** What a batch produced. */
    static final class Result {
        final List<Roi> rois = new ArrayList<>();
        boolean cancelled;
        double seconds;
    }

    /**
     * Segment prompts CHUNK at a time, adding each chunk's ROIs to the output at once. The
     * image is sent once; the worker encodes each tile once (its cache keeps them).
     */
    static Result segmentInChunks(ImagePlanes.Plane plane, CommonOptions common, List<Prompt> prompts,
            RoiOutputs.Output output, ImagePlus imp) throws SamException {
        Result result = new Result();
        long start = System.nanoTime();
        int number = RoiOutputs.nextNumber(RoiOutputs.existing(output, imp));
        Feedback feedback = Feedback.start(SamRoi.session());
        try {
            IJ.showStatus("SAM ROI: preparing " + plane.describe());
            SamRoi.prepare(plane, common.imageOptions());
            for (int from = 0; from < prompts.size(); from += CHUNK) {
                int to = Math.min(prompts.size(), from + CHUNK);
                List<SegmentedObject> objects = SamRoi.segment(plane, common.imageOptions(), prompts.subList(from, to),
                        common.segmentOptions());
                List<Roi> rois = new ArrayList<>();
                for (int i = 0; i < objects.size(); i++) {
                    Roi roi = RoiFactory.toRoi(objects.get(i), from + i + 1, common.model(), plane);
                    if (roi != null) rois.add(roi);
                }
                RoiOutputs.number(rois, number, common.model());
                number += rois.size();
                if (output != RoiOutputs.Output.LABEL_IMAGE) RoiOutputs.add(output, imp, rois);
                result.rois.addAll(rois);
                IJ.showProgress(to, prompts.size());
                IJ.showStatus("SAM ROI: " + to + "/" + prompts.size() + " prompts");
            }
        } catch (SamCancelledException e) {
            result.cancelled = true;
            IJ.log("SAM ROI: batch cancelled; " + result.rois.size() + " object(s) were added before.");
        } finally {
            feedback.close();
        }
        int empty = 0;
        result.seconds = (System.nanoTime() - start) / 1e9;
        if (!result.cancelled) empty = prompts.size() - result.rois.size();
        if (empty > 0) IJ.log("SAM ROI: the model found nothing for " + empty + " of " + prompts.size() + " prompts.");
        return result;
    }

    /** Delete the prompt ROIs: the selection and the ROI Manager entries the prompts came from. */
    private static void removePrompts(ImagePlus imp, Roi selection, List<Roi> sources, RoiManager rm) {
        Map<Roi, Boolean> used = new IdentityHashMap<>();
        for (Roi r : sources) used.put(r, Boolean.TRUE);
        if (selection != null && used.containsKey(selection)) imp.deleteRoi();
        if (rm == null) return;
        Roi[] all = rm.getRoisAsArray();
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < all.length; i++) {
            if (used.containsKey(all[i])) indexes.add(i);
        }
        if (indexes.isEmpty()) return; // "Delete" with nothing selected would delete everything
        int[] selected = new int[indexes.size()];
        for (int i = 0; i < selected.length; i++) selected[i] = indexes.get(i);
        rm.setSelectedIndexes(selected);
        rm.runCommand("Delete");
    }

    private static String from(String text) throws SamException {
        for (String f : FROM) {
            if (f.equalsIgnoreCase(text.trim())) return f;
        }
        throw new SamException("Unknown from='" + text + "'.", "Use from=both, from=selection or from=[ROI Manager].");
    }

    private static MacroOptions dialog() throws SamException {
        PluginSettings settings = SamRoi.settings();
        GenericDialog gd = new GenericDialog("SAM ROI: Batch from ROIs");
        gd.addChoice("Model", PluginSettings.MODELS, settings.model());
        gd.addChoice("Prompts from", FROM, FROM[0]);
        gd.addCheckbox("Remove prompt ROIs afterwards", false);
        gd.addCheckbox("All parts (not only the largest)", false);
        gd.addNumericField("Simplify (pixels)", 0, 1);
        gd.addChoice("Output", RoiOutputs.Output.labels(), RoiOutputs.Output.ROI_MANAGER.label());
        gd.showDialog();
        if (gd.wasCanceled()) return null;
        OptionList list = new OptionList().put("model", gd.getNextChoice()).put("from", gd.getNextChoice());
        list.flag("remove", gd.getNextBoolean()).flag("all_parts", gd.getNextBoolean());
        double simplify = gd.getNextNumber();
        if (simplify > 0) list.put("simplify", simplify);
        return list.put("output", gd.getNextChoice()).toOptions();
    }
}
