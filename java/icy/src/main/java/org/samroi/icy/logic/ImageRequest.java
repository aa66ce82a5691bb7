package org.samroi.icy.logic;

import java.lang.ref.WeakReference;
import java.util.Objects;

import org.samroi.core.ImageOptions;
import org.samroi.core.ImagePixels;
import org.samroi.core.SamException;

/**
 * The image a segmentation needs: one plane of a host image (the sequence, held weakly), the
 * channels sent and the worker's options, plus how to get the pixels. Two requests for the same
 * plane, version, channels and options are the same image, so it is sent to the worker once.
 */
public final class ImageRequest {

    /** Reads the pixels; called on a samroi thread, only when the worker does not have them yet. */
    @FunctionalInterface
    public interface PixelSource {
        ImagePixels read() throws SamException;
    }

    private final WeakReference<Object> source;
    private final Plane plane;
    private final long version;
    private final ChannelChoice channels;
    private final ImageOptions options;
    private final PixelSource pixels;

    /**
     * @param source the host's image (compared by identity)
     * @param version changes whenever the host's pixels change
     */
    public ImageRequest(Object source, Plane plane, long version, ChannelChoice channels, ImageOptions options,
            PixelSource pixels) {
        this.source = new WeakReference<>(Objects.requireNonNull(source, "source"));
        this.plane = plane;
        this.version = version;
        this.channels = channels;
        this.options = channels.apply(options);
        this.pixels = pixels;
    }

    public Plane plane() {
        return plane;
    }

    /** The options sent with the image (the channel choice applied). */
    public ImageOptions options() {
        return options;
    }

    ImagePixels read() throws SamException {
        return pixels.read();
    }

    /** Whether other is the same image: same source object, plane, version, channels and options. */
    boolean sameImage(ImageRequest other) {
        if (other == null) return false;
        Object a = source.get();
        return a != null && a == other.source.get() && plane.equals(other.plane) && version == other.version
                && channels.equals(other.channels) && options.equals(other.options);
    }

    @Override
    public String toString() {
        return "ImageRequest[" + plane + ", " + channels + ", " + options + "]";
    }
}
