package org.samroi.ij;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import java.awt.Rectangle;

/**
 * Label images: 16-bit, background 0, ROI k (1-based) fills its pixels with k; where ROIs
 * overlap the later one wins, as in the command line's label TIFFs.
 */
public final class LabelImages {

    /** The most ROIs a 16-bit label image can tell apart. */
    public static final int MAX_LABELS = 65535;

    private LabelImages() {
    }

    /**
     * A width x height label image of rois (null entries are skipped but keep their number).
     *
     * @throws IllegalArgumentException for more than {@link #MAX_LABELS} ROIs
     */
    public static ImagePlus create(String title, int width, int height, Roi[] rois) {
        if (rois.length > MAX_LABELS) {
            throw new IllegalArgumentException(rois.length + " ROIs do not fit a 16-bit label image (at most "
                    + MAX_LABELS + ").");
        }
        ShortProcessor labels = new ShortProcessor(width, height);
        short[] pixels = (short[]) labels.getPixels();
        for (int k = 1; k <= rois.length; k++) {
            Roi roi = rois[k - 1];
            if (roi == null) continue;
            Rectangle b = roi.getBounds();
            ImageProcessor mask = roi.getMask(); // null: a plain rectangle, every pixel
            for (int y = Math.max(0, b.y); y < Math.min(height, b.y + b.height); y++) {
                for (int x = Math.max(0, b.x); x < Math.min(width, b.x + b.width); x++) {
                    if (mask == null || mask.get(x - b.x, y - b.y) != 0) pixels[y * width + x] = (short) k;
                }
            }
        }
        labels.resetMinAndMax();
        return new ImagePlus(title, labels);
    }
}
