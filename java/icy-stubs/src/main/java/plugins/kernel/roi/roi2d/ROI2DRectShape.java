package plugins.kernel.roi.roi2d;

import java.awt.geom.Point2D;
import java.awt.geom.RectangularShape;

/** Mirror of Icy 2.5's ROI2DRectShape (the members samroi uses). */
public abstract class ROI2DRectShape extends ROI2DShape {

    public ROI2DRectShape(RectangularShape shape, Point2D topLeft, Point2D bottomRight) {
        super(shape);
        shape.setFrameFromDiagonal(topLeft, bottomRight);
    }
}
