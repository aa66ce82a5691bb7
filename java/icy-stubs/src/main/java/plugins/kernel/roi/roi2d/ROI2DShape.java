package plugins.kernel.roi.roi2d;

import java.awt.Shape;

import icy.roi.ROI2D;

/** Mirror of Icy 2.5's ROI2DShape (the members samroi uses). */
public abstract class ROI2DShape extends ROI2D {

    private Shape shape;

    public ROI2DShape(Shape shape) {
        this.shape = shape;
    }

    public Shape getShape() {
        return shape;
    }

    /** How the mirror's subclasses change their shape (not part of the mirrored API). */
    void replaceShape(Shape value) {
        shape = value;
    }
}
