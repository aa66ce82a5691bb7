package plugins.kernel.roi.roi2d;

import java.awt.geom.Line2D;
import java.awt.geom.Point2D;

/** Mirror of Icy 2.5's ROI2DPoint (the members samroi uses); image pixel coordinates. */
public class ROI2DPoint extends ROI2DShape {

    private final Point2D point;

    public ROI2DPoint(double x, double y) {
        super(new Line2D.Double(x, y, x, y));
        this.point = new Point2D.Double(x, y);
    }

    public Point2D getPoint() {
        return (Point2D) point.clone();
    }
}
