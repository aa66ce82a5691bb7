package org.samroi.icy;

import java.awt.geom.Point2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.samroi.core.Prompt;
import org.samroi.core.PromptCsv;
import org.samroi.core.SamException;
import org.samroi.icy.logic.Plane;
import org.samroi.icy.logic.PromptGeometry;

import icy.roi.ROI;
import icy.roi.ROI2D;
import icy.sequence.Sequence;
import plugins.kernel.roi.roi2d.ROI2DPoint;
import plugins.kernel.roi.roi2d.ROI2DRectangle;

/** Point and rectangle ROIs, and prompt-file rows, as prompts on planes of a sequence. */
public final class IcyPrompts {

    private IcyPrompts() {
    }

    /** Whether a ROI can be a prompt: a point or a rectangle. */
    public static boolean isPrompt(ROI roi) {
        return roi instanceof ROI2DPoint || roi instanceof ROI2DRectangle;
    }

    /** The sequence's point and rectangle ROIs, in the order they were made. */
    public static List<ROI2D> promptRois(Sequence sequence) {
        List<ROI2D> out = new ArrayList<>();
        for (ROI roi : sequence.getROIs()) {
            if (isPrompt(roi)) out.add((ROI2D) roi);
        }
        out.sort(Comparator.comparingInt(ROI::getId));
        return out;
    }

    /** A click point of a point ROI (Shift and Alt decide elsewhere what it does). */
    public static Prompt.Point point(ROI2DPoint roi, boolean positive, Sequence sequence) throws SamException {
        Point2D p = roi.getPoint();
        return PromptGeometry.point(p.getX(), p.getY(), positive, sequence.getWidth(), sequence.getHeight());
    }

    /** The box of a rectangle ROI. */
    public static Prompt.Box box(ROI2DRectangle roi, Sequence sequence) throws SamException {
        Rectangle2D r = roi.getRectangle();
        return PromptGeometry.box(r.getX(), r.getY(), r.getWidth(), r.getHeight(), sequence.getWidth(), sequence.getHeight());
    }

    /** The plane of a prompt ROI: its own z and t, or fallback's where it is on all of them (-1). */
    public static Plane plane(ROI2D roi, Plane fallback, Sequence sequence) throws SamException {
        return Plane.resolve(roi.getZ(), roi.getT(), fallback, sequence.getSizeZ(), sequence.getSizeT());
    }

    /** Each point or rectangle ROI as one prompt (named after the ROI). */
    public static List<PlanePrompt> fromRois(List<? extends ROI> rois, Sequence sequence, Plane fallback)
            throws SamException {
        List<PlanePrompt> out = new ArrayList<>();
        for (ROI roi : rois) {
            if (!isPrompt(roi)) continue;
            ROI2D r = (ROI2D) roi;
            Prompt prompt = roi instanceof ROI2DPoint
                    ? Prompt.of(java.util.Collections.singletonList(point((ROI2DPoint) roi, true, sequence)), null)
                    : Prompt.of(null, box((ROI2DRectangle) roi, sequence));
            out.add(new PlanePrompt(prompt, plane(r, fallback, sequence), roi.getName()));
        }
        return out;
    }

    /** The prompts of a CSV file; its z and t columns (1-based, 0 = not set) pick the plane. */
    public static List<PlanePrompt> fromCsv(List<PromptCsv.Entry> entries, Sequence sequence, Plane fallback)
            throws SamException {
        List<PlanePrompt> out = new ArrayList<>();
        for (PromptCsv.Entry e : entries) {
            int[] czt = e.position();
            int z = czt == null ? -1 : czt[1] - 1;
            int t = czt == null ? -1 : czt[2] - 1;
            out.add(new PlanePrompt(e.prompt(), Plane.resolve(z, t, fallback, sequence.getSizeZ(), sequence.getSizeT()),
                    e.name()));
        }
        return out;
    }
}
