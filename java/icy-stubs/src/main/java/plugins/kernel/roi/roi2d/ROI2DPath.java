package plugins.kernel.roi.roi2d;

import java.awt.geom.Path2D;

/** Mirror of Icy 2.5's ROI2DPath (the members samroi uses). */
public class ROI2DPath extends ROI2DShape {

    public ROI2DPath(Path2D path) {
        super(path);
    }
}
