package org.samroi.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;

import org.apposed.appose.NDArray;
import org.apposed.appose.SharedMemory;

/**
 * A 2-D image as the host holds it: a Java pixel array in row-major order plus its width and
 * height. The array is not copied here; it is copied once, into shared memory, when a
 * {@link SamSession} sends it to the worker.
 *
 * <ul>
 * <li>{@code byte[]}: 8-bit gray (unsigned), sent as uint8 [height, width]</li>
 * <li>{@code short[]}: 16-bit gray (unsigned), sent as uint16 [height, width]</li>
 * <li>{@code float[]}: 32-bit gray, sent as float32 [height, width]</li>
 * <li>{@code int[]}: packed RGB (0xRRGGBB, alpha ignored), sent as uint8 [height, width, 3]</li>
 * </ul>
 */
public final class ImagePixels {

    /** The pixel types samroi takes. */
    public enum Type {
        GRAY8("uint8", 1, 1),
        GRAY16("uint16", 2, 1),
        GRAY32("float32", 4, 1),
        RGB("uint8", 1, 3);

        private final String dtype;
        private final int bytesPerSample;
        private final int channels;

        Type(String dtype, int bytesPerSample, int channels) {
            this.dtype = dtype;
            this.bytesPerSample = bytesPerSample;
            this.channels = channels;
        }

        /** The numpy dtype the worker sees. */
        public String dtype() {
            return dtype;
        }

        public int channels() {
            return channels;
        }

        int bytesPerPixel() {
            return bytesPerSample * channels;
        }
    }

    private final Object pixels;
    private final Type type;
    private final int width;
    private final int height;

    private ImagePixels(Object pixels, Type type, int width, int height) {
        this.pixels = pixels;
        this.type = type;
        this.width = width;
        this.height = height;
    }

    public static ImagePixels gray8(byte[] pixels, int width, int height) throws BadImageException {
        return of(pixels, width, height);
    }

    /** Unsigned 16-bit pixels, as ImageJ's ShortProcessor holds them. */
    public static ImagePixels gray16(short[] pixels, int width, int height) throws BadImageException {
        return of(pixels, width, height);
    }

    public static ImagePixels gray32(float[] pixels, int width, int height) throws BadImageException {
        return of(pixels, width, height);
    }

    /** Packed RGB pixels (0xAARRGGBB, alpha ignored), as ImageJ's ColorProcessor holds them. */
    public static ImagePixels rgb(int[] pixels, int width, int height) throws BadImageException {
        return of(pixels, width, height);
    }

    /**
     * Wrap a host pixel array whose type is known only at run time (e.g. ImageJ's
     * {@code ImageProcessor.getPixels()}).
     *
     * @throws BadImageException if the array is null or of another type, the size is 0, or the
     *             array length is not width x height
     */
    public static ImagePixels of(Object pixels, int width, int height) throws BadImageException {
        Type type;
        int length;
        if (pixels instanceof byte[]) {
            type = Type.GRAY8;
            length = ((byte[]) pixels).length;
        } else if (pixels instanceof short[]) {
            type = Type.GRAY16;
            length = ((short[]) pixels).length;
        } else if (pixels instanceof float[]) {
            type = Type.GRAY32;
            length = ((float[]) pixels).length;
        } else if (pixels instanceof int[]) {
            type = Type.RGB;
            length = ((int[]) pixels).length;
        } else {
            String what = pixels == null ? "no pixel data" : "pixels of type " + pixels.getClass().getSimpleName();
            throw new BadImageException(BadImageException.Reason.UNSUPPORTED_TYPE, "samroi cannot use this image ("
                    + what + "); it takes 8-bit, 16-bit, 32-bit (float) or RGB images.");
        }
        if (width <= 0 || height <= 0 || length == 0) {
            throw new BadImageException(BadImageException.Reason.EMPTY,
                    "The image is empty (" + width + " x " + height + " pixels).");
        }
        if ((long) width * height != length) {
            throw new BadImageException(BadImageException.Reason.SIZE_MISMATCH, "The pixel array holds " + length
                    + " pixels but the image is " + width + " x " + height + " = " + ((long) width * height) + ".");
        }
        return new ImagePixels(pixels, type, width, height);
    }

    public Type type() {
        return type;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The wrapped array itself (not a copy). */
    public Object pixels() {
        return pixels;
    }

    /** The shape the worker sees: [height, width] or [height, width, 3]. */
    public int[] shape() {
        return type.channels == 1 ? new int[] { height, width } : new int[] { height, width, type.channels };
    }

    /** Bytes the image takes in shared memory. */
    public long byteCount() {
        return (long) width * height * type.bytesPerPixel();
    }

    /**
     * The stats the worker must report for this image after an exact transfer (same shape,
     * dtype, min, max, byte count and CRC-32 of the raw bytes as sent).
     */
    public ImageStats expectedStats() {
        CRC32 crc = new CRC32();
        double min = Double.NaN;
        double max = Double.NaN;
        int rowBytes = width * type.bytesPerPixel();
        ByteBuffer row = ByteBuffer.allocate(rowBytes).order(ByteOrder.nativeOrder());
        for (int y = 0; y < height; y++) {
            row.clear();
            writeRows(row, y, 1);
            crc.update(row.array(), 0, rowBytes);
        }
        int n = width * height;
        for (int i = 0; i < n; i++) {
            if (type == Type.RGB) {
                int p = ((int[]) pixels)[i];
                for (int shift = 16; shift >= 0; shift -= 8) {
                    double v = (p >> shift) & 0xff;
                    min = Double.isNaN(min) || v < min ? v : min;
                    max = Double.isNaN(max) || v > max ? v : max;
                }
                continue;
            }
            double v = sample(i);
            if (Double.isNaN(v)) continue;
            min = Double.isNaN(min) || v < min ? v : min;
            max = Double.isNaN(max) || v > max ? v : max;
        }
        return new ImageStats(shape(), type.dtype, Double.isNaN(min) ? null : min, Double.isNaN(max) ? null : max,
                byteCount(), crc.getValue());
    }

    private double sample(int i) {
        switch (type) {
            case GRAY8:
                return ((byte[]) pixels)[i] & 0xff;
            case GRAY16:
                return ((short[]) pixels)[i] & 0xffff;
            case GRAY32:
                return ((float[]) pixels)[i];
            default:
                throw new IllegalStateException();
        }
    }

    /** Write rows [y0, y0 + rows) into buffer in native byte order, advancing its position. */
    private void writeRows(ByteBuffer buffer, int y0, int rows) {
        int from = y0 * width;
        int count = rows * width;
        switch (type) {
            case GRAY8:
                buffer.put((byte[]) pixels, from, count);
                break;
            case GRAY16:
                buffer.asShortBuffer().put((short[]) pixels, from, count);
                buffer.position(buffer.position() + 2 * count);
                break;
            case GRAY32:
                buffer.asFloatBuffer().put((float[]) pixels, from, count);
                buffer.position(buffer.position() + 4 * count);
                break;
            case RGB:
                int[] rgb = (int[]) pixels;
                byte[] bytes = new byte[3 * count];
                for (int i = 0, j = 0; i < count; i++) {
                    int p = rgb[from + i];
                    bytes[j++] = (byte) (p >> 16);
                    bytes[j++] = (byte) (p >> 8);
                    bytes[j++] = (byte) p;
                }
                buffer.put(bytes);
                break;
            default:
                throw new IllegalStateException();
        }
    }

    /**
     * Copy the pixels into a new appose NDArray on shared memory. The caller closes it (which
     * frees the shared memory segment).
     */
    NDArray toNDArray() {
        NDArray.DType dType = NDArray.DType.fromLabel(type.dtype);
        NDArray nd = new NDArray(dType, new NDArray.Shape(NDArray.Shape.Order.C_ORDER, shape()));
        try {
            SharedMemory shm = nd.shm();
            long rowBytes = (long) width * type.bytesPerPixel();
            // Copy in slices of at most ~64 MB, so that images over 2 GB fit (a ByteBuffer cannot).
            int rowsPerSlice = (int) Math.max(1, Math.min(height, (64L << 20) / rowBytes));
            for (int y = 0; y < height; y += rowsPerSlice) {
                int rows = Math.min(rowsPerSlice, height - y);
                ByteBuffer slice = slice(shm, y * rowBytes, rows * rowBytes);
                writeRows(slice, y, rows);
            }
            return nd;
        } catch (RuntimeException | Error e) {
            nd.close();
            throw e;
        }
    }

    /**
     * A native-order view of [offset, offset + length) of a segment. appose 0.7.0's
     * SharedMemory.buf(a, b) passes (a, b) to JNA as (offset, length) although documented as
     * (from, to); accept either reading so an appose upgrade cannot silently corrupt images.
     */
    private static ByteBuffer slice(SharedMemory shm, long offset, long length) {
        ByteBuffer b = shm.buf(offset, length);
        if (b.capacity() != length) b = shm.buf(offset, offset + length);
        if (b.capacity() != length) {
            throw new IllegalStateException("shared memory slice of " + b.capacity() + " bytes, expected " + length);
        }
        b.order(ByteOrder.nativeOrder());
        b.clear();
        return b;
    }

    @Override
    public String toString() {
        return "ImagePixels[" + type + ", " + width + " x " + height + "]";
    }
}
