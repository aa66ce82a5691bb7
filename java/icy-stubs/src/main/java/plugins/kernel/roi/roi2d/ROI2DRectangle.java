package plugins.kernel.roi.roi2d;

import java.awt.geom.Point2D;
import java.awt.geom.Rectangle2D;

/** Mirror of Icy 2.5's ROI2DRectangle (the members samroi uses); image pixel coordinates. */
public class ROI2DRectangle extends ROI2DRectShape {

    public ROI2DRectangle(double xmin, double ymin, double xmax, double ymax) {
        super(new Rectangle2D.Double(), new Point2D.Double(xmin, ymin), new Point2D.Double(xmax, ymax));
    }

    public Rectangle2D getRectangle() {
        return (Rectangle2D) ((Rectangle2D) getShape()).clone();
    }

    public void setRectangle(Rectangle2D rectangle) {
        replaceShape(new Rectangle2D.Double(rectangle.getX(), rectangle.getY(), rectangle.getWidth(), rectangle.getHeight()));
    }
}
