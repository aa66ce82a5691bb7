package org.samroi.icy.logic;

import java.awt.geom.Path2D;
import java.util.List;

import org.samroi.core.PolygonShape;
import org.samroi.core.SegmentedObject;

/**
 * A segmented object's outline in the form Icy's ROIs take. Vertices are integers on pixel
 * edges (pixel (i, j) is the square [i, i+1) x [j, j+1)), so a polygon whose inside is decided
 * at pixel centres covers exactly the object's pixels. One ring without holes is a polygon;
 * holes or several parts need a path filled with the even-odd rule.
 */
public final class ObjectOutline {

    private ObjectOutline() {
    }

    /** Whether one polygon (its outer ring) covers exactly the object: one shape, no holes. */
    public static boolean isSinglePolygon(SegmentedObject object) {
        return object.shapes().size() == 1 && object.shapes().get(0).holeCount() == 0;
    }

    /** The outer ring of a shape as {x[], y[]} image coordinates (the closing vertex not repeated). */
    public static double[][] outer(PolygonShape shape) {
        return ring(shape.outerX(), shape.outerY());
    }

    /** Every ring of every shape (outer rings and holes) as one even-odd path. */
    public static Path2D.Double path(List<PolygonShape> shapes) {
        Path2D.Double path = new Path2D.Double(Path2D.WIND_EVEN_ODD);
        for (PolygonShape s : shapes) {
            addRing(path, s.outerX(), s.outerY());
            for (int h = 0; h < s.holeCount(); h++) addRing(path, s.holesX().get(h), s.holesY().get(h));
        }
        return path;
    }

    private static void addRing(Path2D.Double path, int[] x, int[] y) {
        for (int i = 0; i < x.length; i++) {
            if (i == 0) path.moveTo(x[i], y[i]);
            else path.lineTo(x[i], y[i]);
        }
        path.closePath();
    }

    private static double[][] ring(int[] x, int[] y) {
        double[] xs = new double[x.length];
        double[] ys = new double[y.length];
        for (int i = 0; i < x.length; i++) {
            xs[i] = x[i];
            ys[i] = y[i];
        }
        return new double[][] { xs, ys };
    }
}
