package org.samroi.core;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the worker reports about an image it received: shape, dtype, min, max (NaN ignored;
 * null when there is no number), byte count and the CRC-32 of the raw bytes. Compare with
 * {@link ImagePixels#expectedStats()} to check a transfer.
 */
public final class ImageStats {

    private final int[] shape;
    private final String dtype;
    private final Double min;
    private final Double max;
    private final long byteCount;
    private final long crc32;

    public ImageStats(int[] shape, String dtype, Double min, Double max, long byteCount, long crc32) {
        this.shape = shape.clone();
        this.dtype = dtype;
        this.min = min;
        this.max = max;
        this.byteCount = byteCount;
        this.crc32 = crc32;
    }

    static ImageStats fromOutputs(Map<String, Object> out) {
        List<?> shapeList = (List<?>) out.get("shape");
        int[] shape = new int[shapeList.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = ((Number) shapeList.get(i)).intValue();
        return new ImageStats(shape, String.valueOf(out.get("dtype")), toDouble(out.get("min")),
                toDouble(out.get("max")), ((Number) out.get("nbytes")).longValue(),
                ((Number) out.get("crc32")).longValue());
    }

    private static Double toDouble(Object o) {
        return o == null ? null : ((Number) o).doubleValue();
    }

    public int[] shape() {
        return shape.clone();
    }

    public String dtype() {
        return dtype;
    }

    public Double min() {
        return min;
    }

    public Double max() {
        return max;
    }

    public long byteCount() {
        return byteCount;
    }

    public long crc32() {
        return crc32;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ImageStats)) return false;
        ImageStats s = (ImageStats) o;
        return Arrays.equals(shape, s.shape) && dtype.equals(s.dtype) && Objects.equals(min, s.min)
                && Objects.equals(max, s.max) && byteCount == s.byteCount && crc32 == s.crc32;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(shape), dtype, min, max, byteCount, crc32);
    }

    @Override
    public String toString() {
        return "ImageStats[shape=" + Arrays.toString(shape) + ", dtype=" + dtype + ", min=" + min + ", max=" + max
                + ", bytes=" + byteCount + ", crc32=" + Long.toHexString(crc32) + "]";
    }
}
