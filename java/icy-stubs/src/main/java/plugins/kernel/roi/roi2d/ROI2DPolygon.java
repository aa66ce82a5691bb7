package plugins.kernel.roi.roi2d;

import java.awt.geom.Path2D;

import icy.type.geom.Polygon2D;

/** Mirror of Icy 2.5's ROI2DPolygon (the members samroi uses). */
public class ROI2DPolygon extends ROI2DShape {

    private final Polygon2D polygon;

    public ROI2DPolygon(Polygon2D polygon) {
        super(path(polygon));
        this.polygon = polygon;
    }

    public Polygon2D getPolygon2D() {
        return polygon;
    }

    private static Path2D path(Polygon2D p) {
        Path2D.Double path = new Path2D.Double();
        for (int i = 0; i < p.npoints; i++) {
            if (i == 0) path.moveTo(p.xpoints[i], p.ypoints[i]);
            else path.lineTo(p.xpoints[i], p.ypoints[i]);
        }
        path.closePath();
        return path;
    }
}
