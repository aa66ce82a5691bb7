package org.samroi.ij.annotator;

import java.awt.Rectangle;

import org.samroi.core.Prompt;

/**
 * What one mouse gesture on an image asks the Annotator for, in pixel indices of the image:
 * a new object from a box or a click, or one more click on the last object (positive: "this is
 * part of it", negative: "this is not"). Immutable.
 */
public final class Gesture {

    /** The four things a gesture can ask for. */
    public enum Kind {
        /** A rectangle drawn with the rectangle tool: a new object from its box. */
        NEW_BOX,
        /** A plain click: a new object from one point. */
        NEW_POINT,
        /** A shift-click: one more object point for the last object. */
        ADD_POSITIVE,
        /** An alt-click: one background point for the last object. */
        ADD_NEGATIVE
    }

    private final Kind kind;
    private final int x;
    private final int y;
    private final Rectangle box;

    private Gesture(Kind kind, int x, int y, Rectangle box) {
        this.kind = kind;
        this.x = x;
        this.y = y;
        this.box = box;
    }

    /** A box covering the pixels of an ImageJ rectangle (x, y, width, height); both at least 2. */
    public static Gesture box(Rectangle r) {
        if (r.width < 2 || r.height < 2) throw new IllegalArgumentException("a box needs 2 x 2 pixels or more: " + r);
        return new Gesture(Kind.NEW_BOX, r.x + r.width / 2, r.y + r.height / 2, new Rectangle(r));
    }

    /** A click on pixel (x, y) asking for kind (anything but {@link Kind#NEW_BOX}). */
    public static Gesture click(Kind kind, int x, int y) {
        if (kind == Kind.NEW_BOX) throw new IllegalArgumentException("a box is made with box()");
        return new Gesture(kind, x, y, null);
    }

    public Kind kind() {
        return kind;
    }

    /** Whether this gesture starts a new object (rather than refining the last one). */
    public boolean startsObject() {
        return kind == Kind.NEW_BOX || kind == Kind.NEW_POINT;
    }

    /** The clicked pixel (the box centre for a box). */
    public int x() {
        return x;
    }

    public int y() {
        return y;
    }

    /** The rectangle of a box gesture (a copy), or null. */
    public Rectangle box() {
        return box == null ? null : new Rectangle(box);
    }

    /** The prompt of a new object: the box, or the click as an object point. */
    public Prompt newPrompt() {
        if (kind == Kind.NEW_BOX) return Prompt.fromRectangle(box.x, box.y, box.width, box.height);
        return Prompt.point(x, y, kind != Kind.ADD_NEGATIVE);
    }

    /** The prompt of an object refined by this click. */
    public Prompt refine(Prompt prompt) {
        if (startsObject()) throw new IllegalStateException(kind + " does not refine an object");
        return prompt.withPoint(x, y, kind == Kind.ADD_POSITIVE);
    }

    @Override
    public String toString() {
        return kind == Kind.NEW_BOX ? "box " + box.x + "," + box.y + "," + box.width + "," + box.height
                : kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " at " + x + "," + y;
    }
}
