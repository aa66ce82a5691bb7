package org.samroi.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One connected region of a segmented object: an outer ring and its holes. Vertices are
 * integers on pixel edges (pixel (i, j) is the square [i, i+1) x [j, j+1)), like ImageJ's wand,
 * so filling the polygon (even-odd, at pixel centres; holes subtract) gives back exactly the
 * mask's pixels. Rings are closed implicitly: the last vertex connects to the first, which is
 * not repeated.
 */
public final class PolygonShape {

    private final int[] outerX;
    private final int[] outerY;
    private final List<int[]> holesX;
    private final List<int[]> holesY;
    private final long area;

    public PolygonShape(int[] outerX, int[] outerY, List<int[]> holesX, List<int[]> holesY, long area) {
        if (outerX.length != outerY.length) throw new IllegalArgumentException("outer ring: x and y differ in length");
        if (holesX.size() != holesY.size()) throw new IllegalArgumentException("holes: x and y differ in count");
        List<int[]> hx = new ArrayList<>();
        List<int[]> hy = new ArrayList<>();
        for (int i = 0; i < holesX.size(); i++) {
            if (holesX.get(i).length != holesY.get(i).length) throw new IllegalArgumentException("hole " + i + ": x and y differ in length");
            hx.add(holesX.get(i).clone());
            hy.add(holesY.get(i).clone());
        }
        this.outerX = outerX.clone();
        this.outerY = outerY.clone();
        this.holesX = Collections.unmodifiableList(hx);
        this.holesY = Collections.unmodifiableList(hy);
        this.area = area;
    }

    @SuppressWarnings("unchecked")
    static PolygonShape fromOutputs(Map<String, Object> m) {
        List<Number> outer = (List<Number>) m.get("outer");
        int[][] xy = split(outer);
        List<int[]> hx = new ArrayList<>();
        List<int[]> hy = new ArrayList<>();
        for (Object hole : (List<Object>) m.get("holes")) {
            int[][] h = split((List<Number>) hole);
            hx.add(h[0]);
            hy.add(h[1]);
        }
        return new PolygonShape(xy[0], xy[1], hx, hy, ((Number) m.get("area")).longValue());
    }

    private static int[][] split(List<Number> flat) {
        int n = flat.size() / 2;
        int[] x = new int[n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = flat.get(2 * i).intValue();
            y[i] = flat.get(2 * i + 1).intValue();
        }
        return new int[][] { x, y };
    }

    /** x coordinates of the outer ring (a copy). */
    public int[] outerX() {
        return outerX.clone();
    }

    /** y coordinates of the outer ring (a copy). */
    public int[] outerY() {
        return outerY.clone();
    }

    /** x coordinates of each hole ring. */
    public List<int[]> holesX() {
        List<int[]> out = new ArrayList<>();
        for (int[] h : holesX) out.add(h.clone());
        return out;
    }

    /** y coordinates of each hole ring. */
    public List<int[]> holesY() {
        List<int[]> out = new ArrayList<>();
        for (int[] h : holesY) out.add(h.clone());
        return out;
    }

    public int holeCount() {
        return holesX.size();
    }

    /** Number of pixels the shape fills (outer minus holes). */
    public long area() {
        return area;
    }

    /** Number of vertices of the outer ring and all holes. */
    public int vertexCount() {
        int n = outerX.length;
        for (int[] h : holesX) n += h.length;
        return n;
    }

    /** Whether pixel (x, y) belongs to the shape: its centre (x + 0.5, y + 0.5) is inside (even-odd over all rings). */
    public boolean containsPixel(int x, int y) {
        double px = x + 0.5;
        double py = y + 0.5;
        boolean inside = crosses(outerX, outerY, px, py);
        for (int i = 0; i < holesX.size(); i++) {
            if (crosses(holesX.get(i), holesY.get(i), px, py)) inside = !inside;
        }
        return inside;
    }

    private static boolean crosses(int[] xs, int[] ys, double px, double py) {
        boolean c = false;
        for (int i = 0, j = xs.length - 1; i < xs.length; j = i++) {
            if ((ys[i] > py) != (ys[j] > py)
                    && px < (double) (xs[j] - xs[i]) * (py - ys[i]) / (double) (ys[j] - ys[i]) + xs[i]) {
                c = !c;
            }
        }
        return c;
    }

    @Override
    public String toString() {
        return "PolygonShape[" + outerX.length + " vertices, " + holesX.size() + " holes, " + area + " pixels]";
    }
}
