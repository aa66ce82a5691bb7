package org.samroi.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What one prompt produced: the model's score for the mask, the pixels its polygons fill, and
 * the polygons (usually one shape; more with {@link SegmentOptions#withAllComponents}). An
 * empty result (the model found nothing) has no shapes and area 0.
 */
public final class SegmentedObject {

    private final int index;
    private final double score;
    private final long area;
    private final boolean rerun;
    private final List<PolygonShape> shapes;
    private final List<SegmentedObject> alternatives;

    public SegmentedObject(int index, double score, long area, boolean rerun, List<PolygonShape> shapes,
            List<SegmentedObject> alternatives) {
        this.index = index;
        this.score = score;
        this.area = area;
        this.rerun = rerun;
        this.shapes = Collections.unmodifiableList(new ArrayList<>(shapes));
        this.alternatives = Collections.unmodifiableList(new ArrayList<>(alternatives));
    }

    @SuppressWarnings("unchecked")
    static SegmentedObject fromOutputs(Map<String, Object> object) {
        int index = ((Number) object.get("index")).intValue();
        boolean rerun = Boolean.TRUE.equals(object.get("rerun"));
        List<Map<String, Object>> masks = (List<Map<String, Object>>) object.get("masks");
        List<SegmentedObject> all = new ArrayList<>();
        for (Map<String, Object> m : masks) {
            List<PolygonShape> shapes = new ArrayList<>();
            for (Object s : (List<Object>) m.get("shapes")) shapes.add(PolygonShape.fromOutputs((Map<String, Object>) s));
            all.add(new SegmentedObject(index, ((Number) m.get("score")).doubleValue(),
                    ((Number) m.get("area")).longValue(), rerun, shapes, Collections.<SegmentedObject>emptyList()));
        }
        if (all.isEmpty()) {
            return new SegmentedObject(index, Double.NaN, 0, rerun, Collections.<PolygonShape>emptyList(),
                    Collections.<SegmentedObject>emptyList());
        }
        SegmentedObject best = all.get(0);
        return new SegmentedObject(index, best.score, best.area, rerun, best.shapes, all.subList(1, all.size()));
    }

    /** The position of the prompt in the request (0-based). */
    public int index() {
        return index;
    }

    /** The model's own estimate of the mask's quality (predicted IoU). */
    public double score() {
        return score;
    }

    /** Pixels the polygons fill. */
    public long area() {
        return area;
    }

    /** Whether the object was decoded a second time in another tile because it crossed a tile side. */
    public boolean rerun() {
        return rerun;
    }

    public List<PolygonShape> shapes() {
        return shapes;
    }

    public boolean isEmpty() {
        return shapes.isEmpty();
    }

    /** The other masks the model proposed, next best first (only with {@link SegmentOptions#withAllMasks}). */
    public List<SegmentedObject> alternatives() {
        return alternatives;
    }

    @Override
    public String toString() {
        return "SegmentedObject[prompt " + (index + 1) + ", score " + String.format(java.util.Locale.ROOT, "%.3f", score)
                + ", " + area + " pixels, " + shapes.size() + " shape(s)" + (rerun ? ", rerun" : "") + "]";
    }
}
