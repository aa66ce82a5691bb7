package org.samroi.ij.annotator;

import ij.ImagePlus;
import ij.gui.ImageCanvas;
import ij.gui.Roi;
import ij.gui.Toolbar;

import java.awt.Rectangle;
import java.awt.event.MouseAdapter;
import java.awt.event.MouseEvent;

import javax.swing.SwingUtilities;

/**
 * Reads prompts from the mouse on one image canvas. It listens after ImageJ's own handling
 * (the canvas registers itself first), so at the release ImageJ's tool has done its work: a
 * rectangle is drawn, a point selection made. The selection the gesture made is then removed
 * from the image, because the outline replaces it and a leftover selection would catch the next
 * click (ImageJ moves a selection clicked inside, and asks about multi-point selections). A
 * selection the image had before the press stays: {@link #beforePress} hears of it from an AWT
 * event listener, which sees the press before ImageJ does.
 */
final class CanvasGestures extends MouseAdapter {

    /** Receives the prompts. */
    interface Handler {
        void gesture(ImagePlus imp, Gesture gesture, long nanos);
    }

    private final Handler handler;
    private Roi before;
    private int pressX;
    private int pressY;
    private boolean pressed;
    /** The selection at the press, after ImageJ handled it, and whether ImageJ started drawing it then. */
    private Roi pressRoi;
    private boolean drawing;

    /** One per canvas (it keeps the state of the press); the canvas is the events' source. */
    CanvasGestures(Handler handler) {
        this.handler = handler;
    }

    /** The image's selection just before ImageJ handles a press. */
    void beforePress(Roi selection) {
        before = selection;
    }

    @Override
    public void mousePressed(MouseEvent e) {
        pressed = SwingUtilities.isLeftMouseButton(e) && !e.isPopupTrigger() && !e.isControlDown() && !e.isMetaDown();
        if (!pressed) return;
        pressX = e.getX();
        pressY = e.getY();
        ImagePlus imp = ((ImageCanvas) e.getComponent()).getImage();
        pressRoi = imp == null ? null : imp.getRoi();
        drawing = pressRoi != null && pressRoi.getState() == Roi.CONSTRUCTING;
    }

    @Override
    public void mouseReleased(MouseEvent e) {
        if (!pressed) return;
        pressed = false;
        long nanos = System.nanoTime();
        ImageCanvas canvas = (ImageCanvas) e.getComponent();
        ImagePlus imp = canvas.getImage();
        if (imp == null) return;
        GestureRules.Tool tool = tool();
        Roi roi = imp.getRoi();
        Rectangle drawn = drawing && roi == pressRoi && roi.getType() == Roi.RECTANGLE ? roi.getBounds() : null;
        double moved = Math.hypot(e.getX() - pressX, e.getY() - pressY);
        int x = clamp(canvas.offScreenX(e.getX()), imp.getWidth());
        int y = clamp(canvas.offScreenY(e.getY()), imp.getHeight());
        Gesture gesture = GestureRules.decide(tool, e.isShiftDown(), e.isAltDown(), moved, x, y, drawn);
        if (gesture == null) return;
        // What this gesture left on the image: the new rectangle, the clicked point, or a ROI of
        // the manager that ImageJ selected for an alt-click inside it.
        if (roi != null && roi != before) imp.deleteRoi();
        before = null;
        handler.gesture(imp, gesture, nanos);
    }

    private static GestureRules.Tool tool() {
        switch (Toolbar.getToolId()) {
            case Toolbar.RECTANGLE:
                return GestureRules.Tool.RECTANGLE;
            case Toolbar.POINT:
                return GestureRules.Tool.POINT;
            default:
                return GestureRules.Tool.OTHER;
        }
    }

    private static int clamp(int v, int size) {
        return Math.max(0, Math.min(size - 1, v));
    }
}
