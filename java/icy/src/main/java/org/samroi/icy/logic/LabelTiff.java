package org.samroi.icy.logic;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.Deflater;

/**
 * Writes label planes as a uint16 TIFF (little-endian, one zlib-compressed strip per page),
 * the format of the command line's label image. Several planes become pages in Icy's and
 * ImageJ's order (z fastest, then t) with an ImageJ hyperstack description, so Fiji opens
 * them with their slices and frames and tifffile reads them as a (t, z, y, x) array.
 */
public final class LabelTiff {

    private LabelTiff() {
    }

    /**
     * Write planes (sizeT x sizeZ of them, z fastest) to file, atomically: an existing file is
     * replaced only once the new one is complete.
     */
    public static void write(Path file, List<LabelImage> planes, int sizeZ, int sizeT) throws IOException {
        if (planes.isEmpty() || planes.size() != sizeZ * sizeT) {
            throw new IllegalArgumentException(planes.size() + " planes for " + sizeZ + " slices x " + sizeT + " frames");
        }
        int width = planes.get(0).width();
        int height = planes.get(0).height();
        byte[] description = planes.size() == 1 ? null
                : ("ImageJ=1.11a\nimages=" + planes.size() + "\nslices=" + sizeZ + "\nframes=" + sizeT
                        + "\nhyperstack=true\n\0").getBytes(StandardCharsets.US_ASCII);
        byte[][] strips = new byte[planes.size()][];
        java.util.Map<LabelImage, byte[]> done = new java.util.IdentityHashMap<>(); // a plane given twice is compressed once
        for (int p = 0; p < strips.length; p++) {
            LabelImage plane = planes.get(p);
            if (plane.width() != width || plane.height() != height) throw new IllegalArgumentException("planes differ in size");
            strips[p] = done.computeIfAbsent(plane, l -> deflate(l.labels()));
        }
        // Layout: header, then per page its strip, (first page) the description, its IFD; all word-aligned.
        long[] ifdAt = new long[strips.length];
        long at = 8;
        for (int p = 0; p < strips.length; p++) {
            at = even(at + strips[p].length);
            if (p == 0 && description != null) at = even(at + description.length);
            ifdAt[p] = at;
            at += ifdSize(p == 0 && description != null);
        }
        if (at > 0xffffffffL) throw new IOException("the label image is too large for a classic TIFF (" + at + " bytes)");
        ByteBuffer b = ByteBuffer.allocate((int) at).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] { 'I', 'I', 42, 0 }).putInt((int) ifdAt[0]);
        for (int p = 0; p < strips.length; p++) {
            int stripAt = b.position();
            b.put(strips[p]);
            b.position((int) even(b.position()));
            int textAt = 0;
            boolean text = p == 0 && description != null;
            if (text) {
                textAt = b.position();
                b.put(description);
                b.position((int) even(b.position()));
            }
            b.putShort((short) (text ? 11 : 10));
            entry(b, 256, 4, 1, width); // ImageWidth
            entry(b, 257, 4, 1, height); // ImageLength
            entry(b, 258, 3, 1, 16); // BitsPerSample
            entry(b, 259, 3, 1, 8); // Compression: zlib (Adobe deflate)
            entry(b, 262, 3, 1, 1); // PhotometricInterpretation: BlackIsZero
            if (text) entry(b, 270, 2, description.length, textAt); // ImageDescription
            entry(b, 273, 4, 1, stripAt); // StripOffsets
            entry(b, 277, 3, 1, 1); // SamplesPerPixel
            entry(b, 278, 4, 1, height); // RowsPerStrip
            entry(b, 279, 4, 1, strips[p].length); // StripByteCounts
            entry(b, 339, 3, 1, 1); // SampleFormat: unsigned integer
            b.putInt(p + 1 < strips.length ? (int) ifdAt[p + 1] : 0); // next IFD
        }
        AtomicFiles.write(file, b.array());
    }

    private static long even(long offset) {
        return offset + (offset & 1);
    }

    private static int ifdSize(boolean withDescription) {
        return 2 + 12 * (withDescription ? 11 : 10) + 4;
    }

    private static void entry(ByteBuffer b, int tag, int type, int count, int value) {
        b.putShort((short) tag).putShort((short) type).putInt(count);
        if (type == 3 && count == 1) b.putShort((short) value).putShort((short) 0);
        else b.putInt(value);
    }

    private static byte[] deflate(short[] labels) {
        ByteBuffer raw = ByteBuffer.allocate(2 * labels.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asShortBuffer().put(labels);
        Deflater deflater = new Deflater(6);
        try {
            deflater.setInput(raw.array());
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[1 << 16];
            while (!deflater.finished()) out.write(buf, 0, deflater.deflate(buf));
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }
}
