package org.samroi.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Roi;
import ij.process.ImageProcessor;
import java.util.Locale;
import java.util.Objects;
import org.samroi.core.BadImageException;
import org.samroi.core.ImagePixels;
import org.samroi.core.SamException;

/**
 * One 2-D plane of an ImageJ image, as samroi segments it: the current plane, or a chosen
 * channel/slice/frame of a stack or hyperstack.
 *
 * <pre>
 * Plane plane = ImagePlanes.current(imp);           // what the user sees
 * Plane plane = ImagePlanes.at(imp, 1, 5, 1);         // channel 1, slice 5, frame 1 (1-based)
 * if (!plane.key().equals(lastKey)) session.setImage(plane.pixels(), options);
 * RoiFactory.toRoi(object, name, plane);              // the ROI gets the plane's position
 * </pre>
 *
 * 8-bit, 16-bit and 32-bit planes go to samroi with their raw pixel values (spatial and
 * intensity calibration play no part: prompts and polygons are in pixels, and the worker
 * normalises intensities itself); RGB planes as RGB; 8-bit indexed-colour images (a colour
 * table that is not a plain pseudo-colour ramp) as the RGB colours they show.
 */
public final class ImagePlanes {

    /** Pixels hashed for the change key; more are sampled evenly (about a millisecond). */
    private static final int KEY_SAMPLES = 1 << 20;

    private ImagePlanes() {
    }

    /** The current plane of imp (the current channel, slice and frame). */
    public static Plane current(ImagePlus imp) throws SamException {
        requireImage(imp);
        return new Plane(imp, imp.getChannel(), imp.getSlice(), imp.getFrame());
    }

    /**
     * The plane at channel, slice, frame (1-based, as in Stack.setPosition) of imp.
     *
     * @throws PlaneException if a position is outside the image's dimensions
     */
    public static Plane at(ImagePlus imp, int channel, int slice, int frame) throws SamException {
        requireImage(imp);
        check("channel", channel, imp.getNChannels(), imp);
        check("slice", slice, imp.getNSlices(), imp);
        check("frame", frame, imp.getNFrames(), imp);
        return new Plane(imp, channel, slice, frame);
    }

    /**
     * Whether imp has channels, slices and frames (more than one of each): a macro must then
     * say which plane to segment, because the current one is rarely what a batch means.
     */
    public static boolean isFiveD(ImagePlus imp) {
        return imp != null && imp.getNChannels() > 1 && imp.getNSlices() > 1 && imp.getNFrames() > 1;
    }

    /** The error for a macro that did not choose the plane of a 5-D hyperstack. */
    public static PlaneException noPlaneChosen(ImagePlus imp) {
        return new PlaneException("'" + imp.getTitle() + "' is a 5D hyperstack (" + dimensions(imp)
                + ") and the macro did not say which plane to segment.",
                "Add channel=C slice=Z frame=T to the options (1-based), e.g. run(\"Segment\", \"... channel=1 slice="
                        + imp.getSlice() + " frame=" + imp.getFrame() + "\").");
    }

    static String dimensions(ImagePlus imp) {
        return String.format(Locale.ROOT, "%d channels, %d slices, %d frames", imp.getNChannels(), imp.getNSlices(),
                imp.getNFrames());
    }

    private static void requireImage(ImagePlus imp) throws SamException {
        if (imp == null) {
            throw new BadImageException(BadImageException.Reason.EMPTY, "There is no image to segment.");
        }
    }

    private static void check(String what, int value, int count, ImagePlus imp) throws PlaneException {
        if (value < 1 || value > count) {
            throw new PlaneException("There is no " + what + " " + value + " in '" + imp.getTitle() + "' ("
                    + dimensions(imp) + ").", "Choose a " + what + " from 1 to " + count + ".");
        }
    }

    /** A chosen plane of an image, its pixels and its change key. */
    public static final class Plane {
        private final ImagePlus image;
        private final int channel;
        private final int slice;
        private final int frame;
        private final int stackIndex;
        private final ImagePixels pixels;
        private final Key key;

        Plane(ImagePlus image, int channel, int slice, int frame) throws SamException {
            this.image = image;
            this.channel = channel;
            this.slice = slice;
            this.frame = frame;
            this.stackIndex = image.getStackIndex(channel, slice, frame);
            ImageProcessor ip = processor(image, stackIndex);
            if (ip == null) {
                throw new BadImageException(BadImageException.Reason.EMPTY, "'" + image.getTitle() + "' has no pixels.");
            }
            if (image.getType() == ImagePlus.COLOR_256) ip = ip.convertToRGB();
            this.pixels = ImagePixels.of(ip.getPixels(), ip.getWidth(), ip.getHeight());
            this.key = new Key(image.getID(), stackIndex, pixels);
        }

        /**
         * The processor of plane n: the image's own for its current plane (a virtual stack
         * holds no other copy), else the stack's (no copy for stacks in memory).
         */
        private static ImageProcessor processor(ImagePlus image, int n) {
            if (image.getStackSize() == 1 || n == image.getCurrentSlice() && !image.isComposite()) {
                return image.getProcessor();
            }
            ImageStack stack = image.getStack();
            ImageProcessor ip = stack.getProcessor(n);
            if (ip != null && image.getType() == ImagePlus.COLOR_256) ip.setColorModel(image.getProcessor().getColorModel());
            return ip;
        }

        public ImagePlus image() {
            return image;
        }

        /** 1-based channel. */
        public int channel() {
            return channel;
        }

        /** 1-based slice (z). */
        public int slice() {
            return slice;
        }

        /** 1-based frame (t). */
        public int frame() {
            return frame;
        }

        /** 1-based index in the image's stack. */
        public int stackIndex() {
            return stackIndex;
        }

        /** The pixels, wrapped without a copy (the copy into shared memory happens when samroi sends them). */
        public ImagePixels pixels() {
            return pixels;
        }

        public int width() {
            return pixels.width();
        }

        public int height() {
            return pixels.height();
        }

        /** Equal keys: the same plane of the same image with the same pixels, so sending it again can be skipped. */
        public Key key() {
            return key;
        }

        /**
         * Give roi this plane's position, as ImageJ's own ROI Manager does: (channel, slice,
         * frame) on a hyperstack (channel 0, i.e. every channel, when the channels are shown
         * as a composite), the stack index on a plain stack or a series of one dimension,
         * nothing on a single image.
         */
        public void applyPosition(Roi roi) {
            if (image.isHyperStack()) {
                roi.setPosition(image.getDisplayMode() == IJ.COMPOSITE ? 0 : channel, slice, frame);
            } else if (image.getStackSize() > 1) {
                roi.setPosition(stackIndex);
            }
        }

        /** Whether the image has more than one plane. */
        public boolean isStack() {
            return image.getStackSize() > 1;
        }

        /** E.g. "'cells.tif' (channel 2, slice 5)" - the positions of dimensions the image has. */
        public String describe() {
            StringBuilder s = new StringBuilder("'").append(image.getTitle()).append("'");
            StringBuilder p = new StringBuilder();
            if (image.getNChannels() > 1) p.append("channel ").append(channel);
            if (image.getNSlices() > 1) p.append(p.length() > 0 ? ", " : "").append("slice ").append(slice);
            if (image.getNFrames() > 1) p.append(p.length() > 0 ? ", " : "").append("frame ").append(frame);
            if (p.length() > 0) s.append(" (").append(p).append(')');
            return s.toString();
        }

        @Override
        public String toString() {
            return "Plane[" + describe() + ", " + pixels + "]";
        }
    }

    /**
     * Identity of a plane's content: image id, stack index, pixel type and size, and a hash of
     * the pixel values (all of them up to about a million pixels, an even sample beyond). An
     * in-place edit of a few pixels of a very large plane may go unnoticed; sending again is
     * then a matter of {@link SamRoi#forgetImage()}.
     */
    public static final class Key {
        private final int imageId;
        private final int stackIndex;
        private final ImagePixels.Type type;
        private final int width;
        private final int height;
        private final long hash;

        Key(int imageId, int stackIndex, ImagePixels pixels) {
            this.imageId = imageId;
            this.stackIndex = stackIndex;
            this.type = pixels.type();
            this.width = pixels.width();
            this.height = pixels.height();
            this.hash = hash(pixels);
        }

        /** The ImagePlus id (ImagePlus.getID()) of the plane's image. */
        public int imageId() {
            return imageId;
        }

        private static long hash(ImagePixels pixels) {
            Object a = pixels.pixels();
            int n = pixels.width() * pixels.height();
            int step = Math.max(1, n / KEY_SAMPLES);
            long h = 1125899906842597L;
            for (int i = 0; i < n; i += step) {
                long v;
                if (a instanceof byte[]) v = ((byte[]) a)[i];
                else if (a instanceof short[]) v = ((short[]) a)[i];
                else if (a instanceof float[]) v = Float.floatToRawIntBits(((float[]) a)[i]);
                else v = ((int[]) a)[i];
                h = 31 * h + v;
            }
            return h;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Key)) return false;
            Key k = (Key) o;
            return imageId == k.imageId && stackIndex == k.stackIndex && type == k.type && width == k.width
                    && height == k.height && hash == k.hash;
        }

        @Override
        public int hashCode() {
            return Objects.hash(imageId, stackIndex, type, width, height, hash);
        }

        @Override
        public String toString() {
            return "Key[image " + imageId + ", plane " + stackIndex + ", " + type + " " + width + "x" + height + ", "
                    + Long.toHexString(hash) + "]";
        }
    }
}
