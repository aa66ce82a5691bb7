package org.samroi.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * One object to segment: clicks and/or a box, in pixel-index coordinates of the full image
 * ((x, y) = (column, row), fractional values allowed). Immutable.
 *
 * <pre>
 * Prompt.point(120, 80)                          // one click on the object
 * Prompt.box(40, 60, 90, 120)                    // a box: extreme pixels it covers, inclusive
 * Prompt.fromRectangle(r.x, r.y, r.width, r.height)  // an ImageJ rectangle ROI
 * Prompt.point(120, 80).withPoint(130, 95, false)    // plus a background click
 * </pre>
 */
public final class Prompt {

    /** A click: positive on the object, negative on the background. */
    public static final class Point {
        private final double x;
        private final double y;
        private final boolean positive;

        public Point(double x, double y, boolean positive) {
            this.x = x;
            this.y = y;
            this.positive = positive;
        }

        public double x() {
            return x;
        }

        public double y() {
            return y;
        }

        public boolean positive() {
            return positive;
        }

        @Override
        public String toString() {
            return (positive ? "point (" : "background point (") + num(x) + ", " + num(y) + ")";
        }
    }

    /** A box (x0, y0, x1, y1): the extreme pixel indices it covers, inclusive. */
    public static final class Box {
        private final double x0;
        private final double y0;
        private final double x1;
        private final double y1;

        public Box(double x0, double y0, double x1, double y1) {
            this.x0 = x0;
            this.y0 = y0;
            this.x1 = x1;
            this.y1 = y1;
        }

        public double x0() {
            return x0;
        }

        public double y0() {
            return y0;
        }

        public double x1() {
            return x1;
        }

        public double y1() {
            return y1;
        }

        @Override
        public String toString() {
            return "box (" + num(x0) + ", " + num(y0) + ", " + num(x1) + ", " + num(y1) + ")";
        }
    }

    private final List<Point> points;
    private final Box box;

    private Prompt(List<Point> points, Box box) {
        this.points = Collections.unmodifiableList(new ArrayList<>(points));
        this.box = box;
    }

    /** A prompt of the given clicks and/or box (box may be null; points may be empty, not both). */
    public static Prompt of(List<Point> points, Box box) {
        List<Point> p = points == null ? Collections.<Point>emptyList() : points;
        for (Point q : p) {
            if (q == null) throw new IllegalArgumentException("null point");
        }
        if (p.isEmpty() && box == null) throw new IllegalArgumentException("a prompt needs at least one point or a box");
        return new Prompt(p, box);
    }

    /** One click on the object. */
    public static Prompt point(double x, double y) {
        return point(x, y, true);
    }

    /** One click: positive (on the object) or negative (background). */
    public static Prompt point(double x, double y, boolean positive) {
        return of(Collections.singletonList(new Point(x, y, positive)), null);
    }

    /** A box given by its extreme pixel indices (inclusive). */
    public static Prompt box(double x0, double y0, double x1, double y1) {
        return of(null, new Box(x0, y0, x1, y1));
    }

    /**
     * A box from an ImageJ-style rectangle (x, y, width, height): it covers the pixels x..x+w-1
     * and y..y+h-1, i.e. the box (x, y, x+w-1, y+h-1).
     */
    public static Prompt fromRectangle(int x, int y, int width, int height) {
        return box(x, y, (double) x + width - 1, (double) y + height - 1);
    }

    /** This prompt plus one click. */
    public Prompt withPoint(double x, double y, boolean positive) {
        List<Point> p = new ArrayList<>(points);
        p.add(new Point(x, y, positive));
        return new Prompt(p, box);
    }

    /** This prompt with the given box (replacing any box it had). */
    public Prompt withBox(double x0, double y0, double x1, double y1) {
        return new Prompt(points, new Box(x0, y0, x1, y1));
    }

    public List<Point> points() {
        return points;
    }

    /** The box, or null. */
    public Box box() {
        return box;
    }

    /**
     * Throws {@link PromptException} unless every point and box corner lies on a width x height
     * image (pixel indices 0..width-1, 0..height-1) and the box is not degenerate.
     *
     * @param index this prompt's position in the request (0-based; shown 1-based)
     */
    public void checkInside(int index, int width, int height) throws PromptException {
        String range = "x in 0.." + (width - 1) + " and y in 0.." + (height - 1) + " (the image is " + width
                + " x " + height + " pixels)";
        for (Point p : points) {
            if (!(inRange(p.x, width) && inRange(p.y, height))) {
                throw new PromptException(index, this, "The " + p + " of prompt " + (index + 1)
                        + " is outside the image: points need " + range + ".");
            }
        }
        if (box != null) {
            if (!(inRange(box.x0, width) && inRange(box.x1, width) && inRange(box.y0, height) && inRange(box.y1, height))) {
                throw new PromptException(index, this, "The " + box + " of prompt " + (index + 1)
                        + " reaches outside the image: its corners need " + range + ".");
            }
            if (!(box.x1 > box.x0 && box.y1 > box.y0)) {
                throw new PromptException(index, this, "The " + box + " of prompt " + (index + 1)
                        + " is empty: it needs x0 < x1 and y0 < y1.");
            }
        }
    }

    private static boolean inRange(double v, int size) {
        return v >= 0 && v <= size - 1; // false for NaN
    }

    static String num(double v) {
        if (v == Math.rint(v) && !Double.isInfinite(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%.6g", v).replaceAll("\\.?0+$", "");
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (Point p : points) {
            if (b.length() > 0) b.append(", ");
            b.append(p);
        }
        if (box != null) {
            if (b.length() > 0) b.append(", ");
            b.append(box);
        }
        return b.toString();
    }
}
