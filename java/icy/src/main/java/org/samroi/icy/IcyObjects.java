package org.samroi.icy;

import java.util.Locale;

import org.samroi.core.PolygonShape;
import org.samroi.core.SegmentedObject;
import org.samroi.icy.logic.ObjectOutline;
import org.samroi.icy.logic.Plane;

import icy.roi.ROI2D;
import icy.type.geom.Polygon2D;
import plugins.kernel.roi.roi2d.ROI2DPath;
import plugins.kernel.roi.roi2d.ROI2DPolygon;

/** Segmented objects as Icy ROIs, on their plane, named as everywhere in samroi. */
public final class IcyObjects {

    private IcyObjects() {
    }

    /**
     * The ROI of an object: a ROI2DPolygon when one ring without holes covers it (the usual
     * case; holes are filled unless kept), else a ROI2DPath of all rings (even-odd), so that the
     * ROI covers exactly the object's pixels. Z and T are set to the plane (Icy's default, -1,
     * would show it on every plane).
     */
    public static ROI2D toRoi(SegmentedObject object, String name, Plane plane, String model) {
        ROI2D roi;
        if (ObjectOutline.isSinglePolygon(object)) {
            PolygonShape shape = object.shapes().get(0);
            double[][] ring = ObjectOutline.outer(shape);
            roi = new ROI2DPolygon(new Polygon2D(ring[0], ring[1], ring[0].length));
        } else {
            roi = new ROI2DPath(ObjectOutline.path(object.shapes()));
        }
        roi.setName(name);
        roi.setZ(plane.z());
        roi.setT(plane.t());
        roi.setProperty("model", model);
        roi.setProperty("score", String.format(Locale.ROOT, "%.6g", object.score()));
        return roi;
    }
}
