package org.samroi.ij;

import ij.gui.PointRoi;
import ij.gui.Roi;
import ij.process.FloatPolygon;
import java.awt.Rectangle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.samroi.core.Prompt;
import org.samroi.core.PromptException;

/**
 * Prompts drawn as ROIs: a point becomes a click, a rectangle a box (an ImageJ rectangle x, y,
 * w, h covers the pixels x..x+w-1, y..y+h-1, see {@link Prompt#fromRectangle}). Point
 * coordinates are pixel indices, as ImageJ stores them.
 */
public final class PromptRois {

    private final List<Prompt> prompts;
    private final List<Roi> sources;
    private final int skipped;

    private PromptRois(List<Prompt> prompts, List<Roi> sources, int skipped) {
        this.prompts = Collections.unmodifiableList(prompts);
        this.sources = Collections.unmodifiableList(sources);
        this.skipped = skipped;
    }

    /**
     * One prompt per point of every point ROI (a multi-point ROI, e.g. from Process > Find
     * Maxima, gives one per point) and per rectangle; other ROIs are skipped and counted.
     */
    public static PromptRois of(Roi[] rois) {
        List<Prompt> prompts = new ArrayList<>();
        List<Roi> sources = new ArrayList<>();
        int skipped = 0;
        for (Roi roi : rois) {
            if (roi instanceof PointRoi) {
                FloatPolygon p = roi.getFloatPolygon();
                for (int i = 0; i < p.npoints; i++) {
                    prompts.add(Prompt.point(p.xpoints[i], p.ypoints[i]));
                    sources.add(roi);
                }
            } else if (isRectangle(roi)) {
                prompts.add(box(roi));
                sources.add(roi);
            } else if (roi != null) {
                skipped++;
            }
        }
        return new PromptRois(prompts, sources, skipped);
    }

    /**
     * One prompt from one ROI: every point of a (multi-)point ROI is a click on the same object;
     * a rectangle is a box.
     *
     * @throws PromptException for other ROI types
     */
    public static Prompt grouped(Roi roi) throws PromptException {
        if (roi instanceof PointRoi) {
            FloatPolygon p = roi.getFloatPolygon();
            List<Prompt.Point> clicks = new ArrayList<>();
            for (int i = 0; i < p.npoints; i++) clicks.add(new Prompt.Point(p.xpoints[i], p.ypoints[i], true));
            if (!clicks.isEmpty()) return Prompt.of(clicks, null);
        }
        if (isRectangle(roi)) return box(roi);
        throw new PromptException(-1, null, "The selection" + (roi == null ? "" : " '" + roi.getTypeAsString() + "'")
                + " is not a prompt: samroi takes points (point tool, multi-point tool) and rectangles.");
    }

    /** Whether roi is a plain rectangle (no rounded corners, no rotation). */
    public static boolean isRectangle(Roi roi) {
        return roi != null && roi.getType() == Roi.RECTANGLE && roi.getCornerDiameter() == 0;
    }

    private static Prompt box(Roi roi) {
        Rectangle r = roi.getBounds();
        return Prompt.fromRectangle(r.x, r.y, r.width, r.height);
    }

    /** The prompts, in ROI order. */
    public List<Prompt> prompts() {
        return prompts;
    }

    /** For each prompt, the ROI it came from. */
    public List<Roi> sources() {
        return sources;
    }

    /** How many ROIs were neither points nor rectangles. */
    public int skipped() {
        return skipped;
    }
}
