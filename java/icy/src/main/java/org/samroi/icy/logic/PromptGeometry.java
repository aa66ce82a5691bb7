package org.samroi.icy.logic;

import org.samroi.core.Prompt;
import org.samroi.core.PromptException;

/**
 * Icy ROI geometry as samroi prompts. Icy positions are continuous image coordinates where
 * pixel (i, j) covers [i, i+1) x [j, j+1) (its centre is (i + 0.5, j + 0.5)); samroi's prompts
 * are pixel indices, whose centre the models reach by adding 0.5 (DESIGN.md, Conventions).
 */
public final class PromptGeometry {

    private PromptGeometry() {
    }

    /**
     * A click at image position (x, y): the pixel-index point (x - 0.5, y - 0.5), kept on the
     * centres of the border pixels for a click on their outer half.
     *
     * @throws PromptException if (x, y) is not on the image
     */
    public static Prompt.Point point(double x, double y, boolean positive, int width, int height) throws PromptException {
        if (!(x >= 0 && x < width && y >= 0 && y < height)) {
            Prompt.Point p = new Prompt.Point(x, y, positive);
            throw new PromptException(-1, Prompt.of(java.util.Collections.singletonList(p), null),
                    String.format(java.util.Locale.ROOT, "The point at (%.1f, %.1f) is outside the %d x %d image.", x, y,
                            width, height));
        }
        return new Prompt.Point(clamp(x - 0.5, width - 1), clamp(y - 0.5, height - 1), positive);
    }

    /**
     * A rectangle (x, y, w, h) in image coordinates: the box of the pixels whose centres it
     * contains, clipped to the image. An integer rectangle covers pixels x..x+w-1, like ImageJ's.
     *
     * @throws PromptException if it contains no pixel centre of the image, or covers a single
     *             row or column (the models need a box with area)
     */
    public static Prompt.Box box(double x, double y, double w, double h, int width, int height) throws PromptException {
        int x0 = Math.max(0, (int) Math.ceil(x - 0.5));
        int y0 = Math.max(0, (int) Math.ceil(y - 0.5));
        int x1 = Math.min(width - 1, (int) Math.ceil(x + w - 0.5) - 1);
        int y1 = Math.min(height - 1, (int) Math.ceil(y + h - 0.5) - 1);
        Prompt.Box box = new Prompt.Box(x0, y0, x1, y1);
        String where = String.format(java.util.Locale.ROOT, "The rectangle (x %.1f, y %.1f, %.1f x %.1f)", x, y, w, h);
        if (x1 < x0 || y1 < y0) {
            throw new PromptException(-1, Prompt.of(null, box), where + " covers no pixel of the " + width + " x " + height
                    + " image.");
        }
        if (x1 == x0 || y1 == y0) {
            throw new PromptException(-1, Prompt.of(null, box), where + " covers a single row or column of pixels.");
        }
        return box;
    }

    private static double clamp(double v, double max) {
        return Math.max(0, Math.min(max, v));
    }
}
