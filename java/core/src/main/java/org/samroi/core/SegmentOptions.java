package org.samroi.core;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How prompts become masks and polygons. Immutable; the defaults match the command line's.
 */
public final class SegmentOptions {

    private static final SegmentOptions DEFAULTS = new SegmentOptions(true, false, false, 0, true, 0.0);

    private final boolean multimask;
    private final boolean allMasks;
    private final boolean allComponents;
    private final int minArea;
    private final boolean keepHoles;
    private final double simplify;

    private SegmentOptions(boolean multimask, boolean allMasks, boolean allComponents, int minArea, boolean keepHoles,
            double simplify) {
        if (minArea < 0) throw new IllegalArgumentException("minArea must be >= 0");
        if (!(simplify >= 0) || Double.isInfinite(simplify)) throw new IllegalArgumentException("simplify must be >= 0");
        this.multimask = multimask;
        this.allMasks = allMasks;
        this.allComponents = allComponents;
        this.minArea = minArea;
        this.keepHoles = keepHoles;
        this.simplify = simplify;
    }

    public static SegmentOptions defaults() {
        return DEFAULTS;
    }

    /** Let the model propose 3 masks and keep the one it rates best (default true). */
    public SegmentOptions withMultimask(boolean v) {
        return new SegmentOptions(v, allMasks, allComponents, minArea, keepHoles, simplify);
    }

    /** Return every proposed mask, best first, instead of the best only (default false). */
    public SegmentOptions withAllMasks(boolean v) {
        return new SegmentOptions(multimask, v, allComponents, minArea, keepHoles, simplify);
    }

    /** Every connected part of a mask, not just the largest (default false). */
    public SegmentOptions withAllComponents(boolean v) {
        return new SegmentOptions(multimask, allMasks, v, minArea, keepHoles, simplify);
    }

    /** Drop parts with fewer pixels (default 0). */
    public SegmentOptions withMinArea(int pixels) {
        return new SegmentOptions(multimask, allMasks, allComponents, pixels, keepHoles, simplify);
    }

    /** Keep holes in objects (default true); false fills them. */
    public SegmentOptions withKeepHoles(boolean v) {
        return new SegmentOptions(multimask, allMasks, allComponents, minArea, v, simplify);
    }

    /** Polygon simplification tolerance in pixels (default 0: exact pixel outlines). */
    public SegmentOptions withSimplify(double pixels) {
        return new SegmentOptions(multimask, allMasks, allComponents, minArea, keepHoles, pixels);
    }

    public boolean multimask() {
        return multimask;
    }

    public boolean allMasks() {
        return allMasks;
    }

    public boolean allComponents() {
        return allComponents;
    }

    public int minArea() {
        return minArea;
    }

    public boolean keepHoles() {
        return keepHoles;
    }

    public double simplify() {
        return simplify;
    }

    Map<String, Object> toArgs() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("multimask", multimask);
        m.put("all_masks", allMasks);
        m.put("all_components", allComponents);
        m.put("min_area", minArea);
        m.put("keep_holes", keepHoles);
        m.put("simplify", simplify);
        return m;
    }

    @Override
    public String toString() {
        return "SegmentOptions" + toArgs();
    }
}
