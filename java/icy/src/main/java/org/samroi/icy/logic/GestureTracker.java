package org.samroi.icy.logic;

/**
 * Turns a mouse press, drags and release on the image into a click or a box. A press that
 * moves at least {@link #DRAG_PIXELS} on screen becomes a box from the press to the pointer;
 * otherwise the release is a click where the button went down.
 */
public final class GestureTracker {

    /** Screen pixels the pointer must move before a press becomes a box (a shaky click stays a click). */
    public static final int DRAG_PIXELS = 4;

    /** A finished gesture, in image coordinates. */
    public static final class Gesture {
        private final boolean box;
        private final double x;
        private final double y;
        private final double width;
        private final double height;

        private Gesture(boolean box, double x, double y, double width, double height) {
            this.box = box;
            this.x = x;
            this.y = y;
            this.width = width;
            this.height = height;
        }

        public boolean isBox() {
            return box;
        }

        /** The click's position, or the box's left edge. */
        public double x() {
            return x;
        }

        /** The click's position, or the box's top edge. */
        public double y() {
            return y;
        }

        /** The box's width (0 for a click). */
        public double width() {
            return width;
        }

        public double height() {
            return height;
        }

        @Override
        public String toString() {
            return box ? "box (" + x + ", " + y + ", " + width + " x " + height + ")" : "click (" + x + ", " + y + ")";
        }
    }

    private boolean pressed;
    private boolean dragging;
    private double startX;
    private double startY;
    private int screenX;
    private int screenY;

    public void press(double imageX, double imageY, int screenX, int screenY) {
        this.pressed = true;
        this.dragging = false;
        this.startX = imageX;
        this.startY = imageY;
        this.screenX = screenX;
        this.screenY = screenY;
    }

    /** Whether a press is being followed. */
    public boolean isActive() {
        return pressed;
    }

    /** The box so far {x, y, width, height} once the press has become a box, else null. */
    public double[] drag(double imageX, double imageY, int screenX, int screenY) {
        if (!pressed) return null;
        if (!dragging && Math.max(Math.abs(screenX - this.screenX), Math.abs(screenY - this.screenY)) >= DRAG_PIXELS) {
            dragging = true;
        }
        return dragging ? rectangle(imageX, imageY) : null;
    }

    /** The gesture the release ends, or null without a press. */
    public Gesture release(double imageX, double imageY, int screenX, int screenY) {
        if (!pressed) return null;
        drag(imageX, imageY, screenX, screenY);
        pressed = false;
        if (!dragging) return new Gesture(false, startX, startY, 0, 0);
        double[] r = rectangle(imageX, imageY);
        return new Gesture(true, r[0], r[1], r[2], r[3]);
    }

    /** Forget the press (the mouse left, another tool took over). */
    public void cancel() {
        pressed = false;
        dragging = false;
    }

    private double[] rectangle(double x, double y) {
        return new double[] { Math.min(startX, x), Math.min(startY, y), Math.abs(x - startX), Math.abs(y - startY) };
    }
}
