package icy.painter;

import java.awt.event.MouseEvent;

import icy.canvas.IcyCanvas;
import icy.type.point.Point5D;

/** Mirror of Icy 2.5's Overlay (the members samroi uses; API.md section 10). No abstract methods. */
public abstract class Overlay {

    public static enum OverlayPriority {
        BACKGROUND_LOW, BACKGROUND_NORMAL, BACKGROUND_HIGH, BACKGROUND_TOP, IMAGE_LOW, IMAGE_NORMAL, IMAGE_HIGH, IMAGE_TOP,
        SHAPE_LOW, SHAPE_NORMAL, SHAPE_HIGH, SHAPE_TOP, TEXT_LOW, TEXT_NORMAL, TEXT_HIGH, TEXT_TOP, TOOLTIP_LOW,
        TOOLTIP_NORMAL, TOOLTIP_HIGH, TOOLTIP_TOP, TOPMOST
    }

    private final String name;
    private final OverlayPriority priority;

    public Overlay(String name, OverlayPriority priority) {
        this.name = name;
        this.priority = priority;
    }

    public String getName() {
        return name;
    }

    public OverlayPriority getPriority() {
        return priority;
    }

    public void mousePressed(MouseEvent e, Point5D.Double imagePoint, IcyCanvas canvas) {
    }

    public void mouseReleased(MouseEvent e, Point5D.Double imagePoint, IcyCanvas canvas) {
    }

    public void mouseDrag(MouseEvent e, Point5D.Double imagePoint, IcyCanvas canvas) {
    }
}
