package org.samroi.icy.logic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.samroi.core.PolygonShape;

/**
 * A uint16 label plane: objects painted with their numbers (later objects over earlier ones,
 * as the command line's label TIFF), each pixel decided at its centre with the even-odd rule
 * over the object's rings, i.e. exactly the pixels the worker's polygons cover.
 */
public final class LabelImage {

    /** The largest label a uint16 image holds. */
    public static final int MAX_LABEL = 65535;

    private final int width;
    private final int height;
    private final short[] labels;

    public LabelImage(int width, int height) {
        this.width = width;
        this.height = height;
        this.labels = new short[width * height];
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The labels, row-major, unsigned in a short[] (the array itself). */
    public short[] labels() {
        return labels;
    }

    public int label(int x, int y) {
        return labels[y * width + x] & 0xffff;
    }

    /** Paint the pixels of shapes with label (1..65535). */
    public void paint(List<PolygonShape> shapes, int label) {
        if (label < 1 || label > MAX_LABEL) {
            throw new IllegalArgumentException("label " + label + " does not fit a uint16 label image (1.." + MAX_LABEL + ")");
        }
        for (PolygonShape s : shapes) {
            List<int[]> xs = new ArrayList<>(s.holesX());
            List<int[]> ys = new ArrayList<>(s.holesY());
            xs.add(0, s.outerX());
            ys.add(0, s.outerY());
            int top = Integer.MAX_VALUE;
            int bottom = Integer.MIN_VALUE;
            for (int v : s.outerY()) {
                top = Math.min(top, v);
                bottom = Math.max(bottom, v);
            }
            for (int row = Math.max(0, top); row < Math.min(height, bottom); row++) {
                paintRow(xs, ys, row, (short) label);
            }
        }
    }

    /** Fill between pairs of ring crossings of the row's centre line (even-odd). */
    private void paintRow(List<int[]> xs, List<int[]> ys, int row, short label) {
        double cy = row + 0.5;
        double[] cross = new double[16];
        int n = 0;
        for (int r = 0; r < xs.size(); r++) {
            int[] x = xs.get(r);
            int[] y = ys.get(r);
            for (int i = 0, j = x.length - 1; i < x.length; j = i++) {
                if ((y[i] > cy) != (y[j] > cy)) {
                    if (n == cross.length) cross = Arrays.copyOf(cross, 2 * n);
                    cross[n++] = x[j] + (cy - y[j]) * (x[i] - x[j]) / (double) (y[i] - y[j]);
                }
            }
        }
        Arrays.sort(cross, 0, n);
        int base = row * width;
        for (int k = 0; k + 1 < n; k += 2) {
            int from = Math.max(0, (int) Math.ceil(cross[k] - 0.5));
            int to = Math.min(width, (int) Math.ceil(cross[k + 1] - 0.5));
            for (int col = from; col < to; col++) labels[base + col] = label;
        }
    }
}
