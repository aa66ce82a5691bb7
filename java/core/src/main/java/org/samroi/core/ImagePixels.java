package org.samroi.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;

import org.apposed.appose.NDArray;
import org.apposed.appose.SharedMemory;

/**
 * A 2-D image as the host holds it: Java pixel arrays in row-major order plus width and height,
 * either one array (gray, or ImageJ's packed RGB) or one array per channel (planar, as Icy
 * holds multichannel images). The arrays are not copied here; they are copied once, into shared
 * memory, when a {@link SamSession} sends them to the worker. Planar channels are interleaved
 * during that copy, so the worker sees a channels-last array without a second copy.
 *
 * <p>
 * The types ({@link Type}) and the Java arrays holding them (unsigned types live in the
 * signed Java array of the same width, as in ImageJ and Icy):
 * <ul>
 * <li>{@code byte[]}: {@link Type#GRAY8} (uint8) or {@link Type#INT8}</li>
 * <li>{@code short[]}: {@link Type#GRAY16} (uint16) or {@link Type#INT16}</li>
 * <li>{@code int[]}: {@link Type#UINT32}, {@link Type#INT32}, or {@link Type#RGB} (packed
 * 0xRRGGBB, alpha ignored, sent as uint8 [height, width, 3])</li>
 * <li>{@code long[]}: {@link Type#UINT64} or {@link Type#INT64}</li>
 * <li>{@code float[]}: {@link Type#GRAY32} (float32); {@code double[]}: {@link Type#FLOAT64}</li>
 * </ul>
 * The worker sees [height, width] for one channel and [height, width, channels] otherwise.
 */
public final class ImagePixels {

    /** The pixel types samroi takes: how one array element maps to samples, and the numpy dtype sent. */
    public enum Type {
        /** Unsigned 8-bit, {@code byte[]}. */
        GRAY8("uint8", 1, 1, byte[].class, false),
        /** Unsigned 16-bit, {@code short[]}. */
        GRAY16("uint16", 2, 1, short[].class, false),
        /** 32-bit float, {@code float[]}. */
        GRAY32("float32", 4, 1, float[].class, true),
        /** Packed RGB in an {@code int[]}: three uint8 samples per element. */
        RGB("uint8", 1, 3, int[].class, false),
        /** Signed 8-bit, {@code byte[]}. */
        INT8("int8", 1, 1, byte[].class, true),
        /** Signed 16-bit, {@code short[]}. */
        INT16("int16", 2, 1, short[].class, true),
        /** Unsigned 32-bit, {@code int[]}. */
        UINT32("uint32", 4, 1, int[].class, false),
        /** Signed 32-bit, {@code int[]}. */
        INT32("int32", 4, 1, int[].class, true),
        /** Unsigned 64-bit, {@code long[]}. */
        UINT64("uint64", 8, 1, long[].class, false),
        /** Signed 64-bit, {@code long[]}. */
        INT64("int64", 8, 1, long[].class, true),
        /** 64-bit float, {@code double[]}. */
        FLOAT64("float64", 8, 1, double[].class, true);

        private final String dtype;
        private final int bytesPerSample;
        private final int channels;
        private final Class<?> arrayClass;
        private final boolean signed;

        Type(String dtype, int bytesPerSample, int channels, Class<?> arrayClass, boolean signed) {
            this.dtype = dtype;
            this.bytesPerSample = bytesPerSample;
            this.channels = channels;
            this.arrayClass = arrayClass;
            this.signed = signed;
        }

        /** The numpy dtype the worker sees. */
        public String dtype() {
            return dtype;
        }

        /** Samples per array element: 3 for packed RGB, else 1. */
        public int channels() {
            return channels;
        }

        /** The Java array type that holds this type's pixels. */
        public Class<?> arrayClass() {
            return arrayClass;
        }

        /** Whether values are signed (floats count as signed). */
        public boolean isSigned() {
            return signed;
        }

        int bytesPerPixel() {
            return bytesPerSample * channels;
        }
    }

    private final Object[] planes;
    private final Type type;
    private final int width;
    private final int height;

    private ImagePixels(Object[] planes, Type type, int width, int height) {
        this.planes = planes;
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
     * Wrap an ImageJ pixel array whose type is known only at run time
     * ({@code ImageProcessor.getPixels()}): byte[] is 8-bit, short[] unsigned 16-bit, float[]
     * 32-bit and int[] packed RGB. Other hosts say what their arrays hold with
     * {@link #of(Type, Object, int, int)}.
     *
     * @throws BadImageException if the array is null or of another type, the size is 0, or the
     *             array length is not width x height
     */
    public static ImagePixels of(Object pixels, int width, int height) throws BadImageException {
        Type type;
        if (pixels instanceof byte[]) {
            type = Type.GRAY8;
        } else if (pixels instanceof short[]) {
            type = Type.GRAY16;
        } else if (pixels instanceof float[]) {
            type = Type.GRAY32;
        } else if (pixels instanceof int[]) {
            type = Type.RGB;
        } else {
            String what = pixels == null ? "no pixel data" : "pixels of type " + pixels.getClass().getSimpleName();
            throw new BadImageException(BadImageException.Reason.UNSUPPORTED_TYPE, "samroi cannot use this image ("
                    + what + "); it takes 8-bit, 16-bit, 32-bit (float) or RGB images.");
        }
        return of(type, pixels, width, height);
    }

    /**
     * One array of the given type (one channel, or packed RGB).
     *
     * @throws BadImageException if the array is not the type's {@link Type#arrayClass()}, the
     *             size is 0, or the array length is not width x height
     */
    public static ImagePixels of(Type type, Object pixels, int width, int height) throws BadImageException {
        if (type == null) throw new IllegalArgumentException("type is null");
        return new ImagePixels(checked(type, new Object[] { pixels }, width, height), type, width, height);
    }

    /**
     * Several channels of one type, one array per channel (planar, as Icy holds them). The
     * worker sees [height, width, channels], or [height, width] for a single channel.
     *
     * @throws BadImageException if there is no channel, an array is not the type's
     *             {@link Type#arrayClass()} or not width x height long, or type is RGB (packed
     *             RGB is one array)
     */
    public static ImagePixels channels(Type type, Object[] planes, int width, int height) throws BadImageException {
        if (type == null) throw new IllegalArgumentException("type is null");
        if (planes == null || planes.length == 0) {
            throw new BadImageException(BadImageException.Reason.EMPTY, "The image has no channels.");
        }
        if (type == Type.RGB && planes.length > 1) {
            throw new IllegalArgumentException("packed RGB is a single array; give planar channels as UINT8 (GRAY8) arrays");
        }
        return new ImagePixels(checked(type, planes.clone(), width, height), type, width, height);
    }

    private static Object[] checked(Type type, Object[] planes, int width, int height) throws BadImageException {
        for (int c = 0; c < planes.length; c++) {
            Object p = planes[c];
            String channel = planes.length > 1 ? " of channel " + c : "";
            if (p == null || p.getClass() != type.arrayClass) {
                String what = p == null ? "no pixel data" : "a " + p.getClass().getSimpleName();
                throw new BadImageException(BadImageException.Reason.UNSUPPORTED_TYPE, "The pixels" + channel + " are "
                        + what + ", not the " + type.arrayClass.getSimpleName() + " that holds " + type.dtype
                        + " pixels.");
            }
            int length = java.lang.reflect.Array.getLength(p);
            if (width <= 0 || height <= 0 || length == 0) {
                throw new BadImageException(BadImageException.Reason.EMPTY,
                        "The image is empty (" + width + " x " + height + " pixels).");
            }
            if ((long) width * height != length) {
                throw new BadImageException(BadImageException.Reason.SIZE_MISMATCH, "The pixel array" + channel
                        + " holds " + length + " pixels but the image is " + width + " x " + height + " = "
                        + ((long) width * height) + ".");
            }
        }
        return planes;
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

    /** Channels the worker sees: 3 for packed RGB, else the number of arrays. */
    public int channels() {
        return type.channels * planes.length;
    }

    /**
     * The wrapped array itself (not a copy) of a single-array image.
     *
     * @throws IllegalStateException for planar multichannel images (see {@link #planes()})
     */
    public Object pixels() {
        if (planes.length != 1) throw new IllegalStateException("a planar image has one array per channel; use planes()");
        return planes[0];
    }

    /** The wrapped arrays, one per channel (the arrays themselves, not copies). */
    public Object[] planes() {
        return planes.clone();
    }

    /** The shape the worker sees: [height, width] or [height, width, channels]. */
    public int[] shape() {
        int c = channels();
        return c == 1 ? new int[] { height, width } : new int[] { height, width, c };
    }

    /** Bytes the image takes in shared memory. */
    public long byteCount() {
        return (long) width * height * type.bytesPerPixel() * planes.length;
    }

    /**
     * The stats the worker must report for this image after an exact transfer (same shape,
     * dtype, min, max, byte count and CRC-32 of the raw bytes as sent).
     */
    public ImageStats expectedStats() {
        CRC32 crc = new CRC32();
        int rowBytes = (int) (byteCount() / height);
        ByteBuffer row = ByteBuffer.allocate(rowBytes).order(ByteOrder.nativeOrder());
        for (int y = 0; y < height; y++) {
            row.clear();
            writeRows(row, y, 1);
            crc.update(row.array(), 0, rowBytes);
        }
        Range range = new Range();
        for (Object plane : planes) range.add(type, plane);
        return new ImageStats(shape(), type.dtype, range.min(), range.max(), byteCount(), crc.getValue());
    }

    /** Min and max over samples, NaN ignored, compared in the samples' own order (unsigned too). */
    private static final class Range {
        private double min = Double.NaN;
        private double max = Double.NaN;

        void add(Type type, Object plane) {
            switch (type) {
                case RGB:
                    for (int p : (int[]) plane) {
                        for (int shift = 16; shift >= 0; shift -= 8) add((p >> shift) & 0xff);
                    }
                    break;
                case GRAY8:
                    for (byte v : (byte[]) plane) add(v & 0xff);
                    break;
                case INT8:
                    for (byte v : (byte[]) plane) add(v);
                    break;
                case GRAY16:
                    for (short v : (short[]) plane) add(v & 0xffff);
                    break;
                case INT16:
                    for (short v : (short[]) plane) add(v);
                    break;
                case UINT32:
                    for (int v : (int[]) plane) add(v & 0xffffffffL);
                    break;
                case INT32:
                    for (int v : (int[]) plane) add(v);
                    break;
                case UINT64:
                case INT64:
                    addLongs((long[]) plane, type == Type.UINT64);
                    break;
                case GRAY32:
                    for (float v : (float[]) plane) add(v);
                    break;
                case FLOAT64:
                    for (double v : (double[]) plane) add(v);
                    break;
                default:
                    throw new IllegalStateException(type.toString());
            }
        }

        /** 64-bit values: compared exactly, then rounded to double once (as numpy's float(min)). */
        private void addLongs(long[] values, boolean unsigned) {
            if (values.length == 0) return;
            long lo = values[0];
            long hi = values[0];
            for (long v : values) {
                if (unsigned ? Long.compareUnsigned(v, lo) < 0 : v < lo) lo = v;
                if (unsigned ? Long.compareUnsigned(v, hi) > 0 : v > hi) hi = v;
            }
            add(unsigned ? unsignedToDouble(lo) : lo);
            add(unsigned ? unsignedToDouble(hi) : hi);
        }

        private void add(double v) {
            if (Double.isNaN(v)) return;
            min = Double.isNaN(min) || v < min ? v : min;
            max = Double.isNaN(max) || v > max ? v : max;
        }

        Double min() {
            return Double.isNaN(min) ? null : min;
        }

        Double max() {
            return Double.isNaN(max) ? null : max;
        }
    }

    /** An unsigned 64-bit value as the nearest double (halve with the lost bit kept sticky, then double). */
    static double unsignedToDouble(long v) {
        if (v >= 0) return v;
        return ((v >>> 1) | (v & 1)) * 2.0;
    }

    /** Write rows [y0, y0 + rows) into buffer in native byte order, channels interleaved, advancing its position. */
    private void writeRows(ByteBuffer buffer, int y0, int rows) {
        int from = y0 * width;
        int count = rows * width;
        if (type == Type.RGB) {
            int[] rgb = (int[]) planes[0];
            byte[] bytes = new byte[3 * count];
            for (int i = 0, j = 0; i < count; i++) {
                int p = rgb[from + i];
                bytes[j++] = (byte) (p >> 16);
                bytes[j++] = (byte) (p >> 8);
                bytes[j++] = (byte) p;
            }
            buffer.put(bytes);
            return;
        }
        if (planes.length == 1) {
            putSamples(buffer, planes[0], from, count);
            return;
        }
        // Planar channels: interleave one row at a time (a row-sized buffer, not a copy of the image).
        Object row = java.lang.reflect.Array.newInstance(type.arrayClass.getComponentType(), width * planes.length);
        for (int y = 0; y < rows; y++) {
            interleave(from + y * width, width, row);
            putSamples(buffer, row, 0, width * planes.length);
        }
    }

    /** Put samples [offset, offset + n) of a primitive array in native order, advancing the buffer. */
    private void putSamples(ByteBuffer buffer, Object samples, int offset, int n) {
        int start = buffer.position();
        if (samples instanceof byte[]) {
            buffer.put((byte[]) samples, offset, n);
            return;
        } else if (samples instanceof short[]) {
            buffer.asShortBuffer().put((short[]) samples, offset, n);
        } else if (samples instanceof int[]) {
            buffer.asIntBuffer().put((int[]) samples, offset, n);
        } else if (samples instanceof long[]) {
            buffer.asLongBuffer().put((long[]) samples, offset, n);
        } else if (samples instanceof float[]) {
            buffer.asFloatBuffer().put((float[]) samples, offset, n);
        } else if (samples instanceof double[]) {
            buffer.asDoubleBuffer().put((double[]) samples, offset, n);
        } else {
            throw new IllegalStateException(String.valueOf(samples));
        }
        buffer.position(start + n * type.bytesPerSample);
    }

    /** Pixels [from, from + count) of every channel, interleaved (pixel-major) into out. */
    private void interleave(int from, int count, Object out) {
        int c = planes.length;
        for (int k = 0; k < c; k++) {
            Object plane = planes[k];
            if (out instanceof byte[]) {
                byte[] o = (byte[]) out;
                byte[] p = (byte[]) plane;
                for (int i = 0; i < count; i++) o[i * c + k] = p[from + i];
            } else if (out instanceof short[]) {
                short[] o = (short[]) out;
                short[] p = (short[]) plane;
                for (int i = 0; i < count; i++) o[i * c + k] = p[from + i];
            } else if (out instanceof int[]) {
                int[] o = (int[]) out;
                int[] p = (int[]) plane;
                for (int i = 0; i < count; i++) o[i * c + k] = p[from + i];
            } else if (out instanceof long[]) {
                long[] o = (long[]) out;
                long[] p = (long[]) plane;
                for (int i = 0; i < count; i++) o[i * c + k] = p[from + i];
            } else if (out instanceof float[]) {
                float[] o = (float[]) out;
                float[] p = (float[]) plane;
                for (int i = 0; i < count; i++) o[i * c + k] = p[from + i];
            } else {
                double[] o = (double[]) out;
                double[] p = (double[]) plane;
                for (int i = 0; i < count; i++) o[i * c + k] = p[from + i];
            }
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
            long rowBytes = byteCount() / height;
            // Copy in slices of at most ~64 MB, so that images over 2 GB fit (a ByteBuffer cannot);
            // planar channels are interleaved on the way, row by row.
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
        return "ImagePixels[" + type + (planes.length > 1 ? " x " + planes.length + " channels" : "") + ", " + width
                + " x " + height + "]";
    }
}
