package icy.type.geom;

/** Mirror of Icy 2.5's Polygon2D (the members samroi uses; API.md section 9). */
public class Polygon2D {

    public int npoints;
    public double[] xpoints;
    public double[] ypoints;

    public Polygon2D(double[] xpoints, double[] ypoints, int npoints) {
        this.npoints = npoints;
        this.xpoints = java.util.Arrays.copyOf(xpoints, npoints);
        this.ypoints = java.util.Arrays.copyOf(ypoints, npoints);
    }
}
