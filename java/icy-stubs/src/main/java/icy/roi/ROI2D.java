package icy.roi;

/** Mirror of Icy 2.5's ROI2D: z, t, c are -1 (all planes) unless set. */
public abstract class ROI2D extends ROI {

    private int z = -1;
    private int t = -1;
    private int c = -1;

    public ROI2D() {
    }

    public int getZ() {
        return z;
    }

    public void setZ(int value) {
        z = value == Integer.MIN_VALUE ? -1 : value;
    }

    public int getT() {
        return t;
    }

    public void setT(int value) {
        t = value == Integer.MIN_VALUE ? -1 : value;
    }

    public int getC() {
        return c;
    }

    public void setC(int value) {
        c = value == Integer.MIN_VALUE ? -1 : value;
    }
}
