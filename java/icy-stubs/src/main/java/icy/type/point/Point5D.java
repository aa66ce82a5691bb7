package icy.type.point;

/** Mirror of Icy 2.5's Point5D (the members samroi uses; API.md section 9). */
public abstract class Point5D {

    public static class Double extends Point5D {
        public double x;
        public double y;
        public double z;
        public double t;
        public double c;

        public Double(double x, double y, double z, double t, double c) {
            this.x = x;
            this.y = y;
            this.z = z;
            this.t = t;
            this.c = c;
        }
    }
}
