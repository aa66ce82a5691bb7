package org.samroi.ij.annotator;

import ij.ImagePlus;

import java.util.Objects;

import org.samroi.core.ImageOptions;
import org.samroi.core.SamException;
import org.samroi.ij.ImagePlanes;

/**
 * One plane of an open image (channel, slice, frame as shown when the gesture was made) and the
 * options to segment it with. Equal targets (same image, plane and options) let a click refine
 * the object of an earlier one. The pixels are read when a prompt is sent, on the segmenting
 * thread, not when the gesture is made.
 */
final class PlaneTarget {

    private final ImagePlus image;
    private final int channel;
    private final int slice;
    private final int frame;
    private final ImageOptions options;

    private PlaneTarget(ImagePlus image, int channel, int slice, int frame, ImageOptions options) {
        this.image = image;
        this.channel = channel;
        this.slice = slice;
        this.frame = frame;
        this.options = options;
    }

    /** The plane imp shows now. */
    static PlaneTarget current(ImagePlus imp, ImageOptions options) {
        return new PlaneTarget(imp, imp.getChannel(), imp.getSlice(), imp.getFrame(), options);
    }

    ImagePlus image() {
        return image;
    }

    ImageOptions options() {
        return options;
    }

    /** The plane's pixels and position, read now. */
    ImagePlanes.Plane plane() throws SamException {
        return ImagePlanes.at(image, channel, slice, frame);
    }

    /** E.g. "'cells.tif'" or "'cells.tif' (slice 3)". */
    String describe() {
        StringBuilder s = new StringBuilder("'").append(image.getTitle()).append("'");
        StringBuilder p = new StringBuilder();
        if (image.getNChannels() > 1) p.append("channel ").append(channel);
        if (image.getNSlices() > 1) p.append(p.length() > 0 ? ", " : "").append("slice ").append(slice);
        if (image.getNFrames() > 1) p.append(p.length() > 0 ? ", " : "").append("frame ").append(frame);
        return p.length() > 0 ? s.append(" (").append(p).append(')').toString() : s.toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PlaneTarget)) return false;
        PlaneTarget t = (PlaneTarget) o;
        return image.getID() == t.image.getID() && channel == t.channel && slice == t.slice && frame == t.frame
                && options.equals(t.options);
    }

    @Override
    public int hashCode() {
        return Objects.hash(image.getID(), channel, slice, frame, options);
    }

    @Override
    public String toString() {
        return "PlaneTarget[" + describe() + ", " + options.model() + "]";
    }
}
