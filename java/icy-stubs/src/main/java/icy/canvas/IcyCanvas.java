package icy.canvas;

import javax.swing.JPanel;

/** Mirror of Icy 2.5's IcyCanvas (the members samroi uses; API.md section 10). */
public abstract class IcyCanvas extends JPanel {

    private static final long serialVersionUID = 1L;

    private int z;
    private int t;

    public int getPositionZ() {
        return z;
    }

    public int getPositionT() {
        return t;
    }

    public void setPositionZ(int z) {
        this.z = z;
    }

    public void setPositionT(int t) {
        this.t = t;
    }

    public abstract void refresh();
}
