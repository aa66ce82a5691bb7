package org.samroi.ij.annotator;

import java.awt.Rectangle;

/**
 * Which {@link Gesture} a finished mouse gesture (button released) makes, from what ImageJ's
 * tools did with it. Pure rules, no ImageJ calls, so that they can be tested on their own.
 *
 * <ul>
 * <li>Rectangle tool, a new rectangle drawn: a box (new object). Moving or resizing an existing
 * selection is no prompt.</li>
 * <li>Rectangle or point tool, a click: a new object from that point; with shift, one more
 * object point for the last object; with alt, a background point for it (alt wins over
 * shift).</li>
 * <li>Any other tool (zoom, hand, wand, ...): no prompt.</li>
 * </ul>
 */
public final class GestureRules {

    /** The ImageJ tools the Annotator reacts to. */
    public enum Tool {
        RECTANGLE, POINT, OTHER
    }

    /** How far (screen pixels) the mouse may move between press and release for a click. */
    public static final int CLICK_SLOP = 3;

    private GestureRules() {
    }

    /**
     * @param tool the tool in use
     * @param shift whether shift was down at the release
     * @param alt whether alt was down at the release
     * @param screenDistance how far the mouse moved between press and release (screen pixels)
     * @param x the pixel (image column) under the release
     * @param y the pixel (image row) under the release
     * @param drawn the rectangle the rectangle tool drew in this gesture (ImageJ's new selection),
     *            or null when it drew none (a click, or an existing selection was moved)
     * @return the gesture, or null when this is no prompt
     */
    public static Gesture decide(Tool tool, boolean shift, boolean alt, double screenDistance, int x, int y,
            Rectangle drawn) {
        switch (tool) {
            case RECTANGLE:
                if (screenDistance > CLICK_SLOP) {
                    return drawn != null && drawn.width >= 2 && drawn.height >= 2 ? Gesture.box(drawn) : null;
                }
                return click(shift, alt, x, y);
            case POINT:
                return click(shift, alt, x, y); // a small drag of the point tool is still a click
            default:
                return null;
        }
    }

    private static Gesture click(boolean shift, boolean alt, int x, int y) {
        Gesture.Kind kind = alt ? Gesture.Kind.ADD_NEGATIVE : shift ? Gesture.Kind.ADD_POSITIVE : Gesture.Kind.NEW_POINT;
        return Gesture.click(kind, x, y);
    }
}
