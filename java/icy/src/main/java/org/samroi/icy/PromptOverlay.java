package org.samroi.icy;

import java.awt.event.MouseEvent;

import icy.canvas.IcyCanvas;
import icy.painter.Overlay;
import icy.type.point.Point5D;

/**
 * samroi's layer on the annotated sequence. Icy hands every mouse event on a canvas to the
 * overlays first (highest priority first) and then does its own work unless the event was
 * consumed; this overlay passes them to the {@link Annotator}, which consumes only the clicks
 * and drags it turns into prompts. Callbacks run on the event thread.
 */
final class PromptOverlay extends Overlay {

    private final Annotator annotator;

    PromptOverlay(Annotator annotator) {
        super("samroi prompts", OverlayPriority.TOPMOST);
        this.annotator = annotator;
    }

    @Override
    public void mousePressed(MouseEvent e, Point5D.Double imagePoint, IcyCanvas canvas) {
        if (imagePoint != null && annotator.pressed(e, imagePoint.x, imagePoint.y, canvas.getPositionZ(), canvas.getPositionT())) {
            e.consume();
        }
    }

    @Override
    public void mouseDrag(MouseEvent e, Point5D.Double imagePoint, IcyCanvas canvas) {
        if (imagePoint != null && annotator.dragged(e, imagePoint.x, imagePoint.y)) e.consume();
    }

    @Override
    public void mouseReleased(MouseEvent e, Point5D.Double imagePoint, IcyCanvas canvas) {
        double x = imagePoint == null ? Double.NaN : imagePoint.x;
        double y = imagePoint == null ? Double.NaN : imagePoint.y;
        if (annotator.released(e, x, y, canvas.getPositionZ(), canvas.getPositionT())) e.consume();
    }
}
