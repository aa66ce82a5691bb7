package org.samroi.ij;

import ij.gui.PolygonRoi;
import ij.gui.Roi;
import ij.gui.ShapeRoi;
import java.awt.geom.Path2D;
import java.util.List;
import org.samroi.core.ObjectNames;
import org.samroi.core.PolygonShape;
import org.samroi.core.SegmentedObject;

/**
 * Segmented objects as ImageJ ROIs that fill exactly the object's pixels.
 *
 * <ul>
 * <li>One part without holes: a traced polygon ({@link Roi#TRACED_ROI}, like the wand's), its
 * vertices on pixel edges.</li>
 * <li>Holes or several parts: a {@link ShapeRoi} of all rings with the even-odd rule, so holes
 * are left out.</li>
 * </ul>
 *
 * Names follow {@link ObjectNames} ("007-efficientsam-ti"), as in the command line's RoiSets.
 *
 * <pre>
 * Roi roi = RoiFactory.toRoi(object, ObjectNames.name(7, "efficientsam-ti"), plane);
 * </pre>
 */
public final class RoiFactory {

    private RoiFactory() {
    }

    /**
     * The ROI of object named name, with plane's stack position (plane may be null: no position).
     *
     * @return null when the object is empty (the model found nothing)
     */
    public static Roi toRoi(SegmentedObject object, String name, ImagePlanes.Plane plane) {
        if (object.isEmpty()) return null;
        Roi roi = toRoi(object.shapes());
        roi.setName(name);
        if (plane != null) plane.applyPosition(roi);
        return roi;
    }

    /** The ROI of the object of prompt promptNumber (1-based) by model: named e.g. "007-mobilesam". */
    public static Roi toRoi(SegmentedObject object, int promptNumber, String model, ImagePlanes.Plane plane) {
        return toRoi(object, ObjectNames.name(promptNumber, model), plane);
    }

    /** An unnamed ROI without position filling the shapes' pixels; shapes must not be empty. */
    public static Roi toRoi(List<PolygonShape> shapes) {
        if (shapes.isEmpty()) throw new IllegalArgumentException("no shapes");
        if (shapes.size() == 1 && shapes.get(0).holeCount() == 0) {
            PolygonShape s = shapes.get(0);
            return new PolygonRoi(s.outerX(), s.outerY(), s.outerX().length, Roi.TRACED_ROI);
        }
        Path2D.Float path = new Path2D.Float(Path2D.WIND_EVEN_ODD);
        for (PolygonShape s : shapes) {
            ring(path, s.outerX(), s.outerY());
            List<int[]> hx = s.holesX();
            List<int[]> hy = s.holesY();
            for (int i = 0; i < hx.size(); i++) ring(path, hx.get(i), hy.get(i));
        }
        return new ShapeRoi(path);
    }

    private static void ring(Path2D.Float path, int[] x, int[] y) {
        path.moveTo(x[0], y[0]);
        for (int i = 1; i < x.length; i++) path.lineTo(x[i], y[i]);
        path.closePath();
    }
}
