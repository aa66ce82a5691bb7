package org.samroi.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads strip-organised, chunky baseline TIFFs (8/16-bit gray, 8-bit RGB), uncompressed or deflate (zlib, no
 * predictor), first page only, for tests (also the Icy plugin's, through the core test jar).
 */
public final class TinyTiff {

    public final int width;
    public final int height;
    public final int samples;
    public final int bits;
    /** Raw pixel bytes in file order (row-major, interleaved samples), already in native order for 16-bit. */
    public final byte[] data;
    public final ByteOrder order;

    private TinyTiff(int width, int height, int samples, int bits, byte[] data, ByteOrder order) {
        this.width = width;
        this.height = height;
        this.samples = samples;
        this.bits = bits;
        this.data = data;
        this.order = order;
    }

    public static TinyTiff read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        char c = (char) b.get(0);
        b.order(c == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        if (b.getShort(2) != 42) throw new IOException("not a classic TIFF: " + file);
        int ifd = b.getInt(4);
        int n = b.getShort(ifd) & 0xffff;
        int width = 0, height = 0, samples = 1, bits = 8, compression = 1, planar = 1, predictor = 1, rowsPerStrip = Integer.MAX_VALUE;
        long[] offsets = null, counts = null;
        for (int i = 0; i < n; i++) {
            int e = ifd + 2 + 12 * i;
            int tag = b.getShort(e) & 0xffff;
            int type = b.getShort(e + 2) & 0xffff;
            int count = b.getInt(e + 4);
            long[] values = values(b, type, count, e + 8);
            switch (tag) {
                case 256: width = (int) values[0]; break;
                case 257: height = (int) values[0]; break;
                case 258: bits = (int) values[0]; break;
                case 259: compression = (int) values[0]; break;
                case 273: offsets = values; break;
                case 277: samples = (int) values[0]; break;
                case 278: rowsPerStrip = (int) values[0]; break;
                case 279: counts = values; break;
                case 284: planar = (int) values[0]; break;
                case 317: predictor = (int) values[0]; break;
                default: break;
            }
        }
        boolean deflate = compression == 8 || compression == 32946;
        if ((compression != 1 && !deflate) || predictor != 1 || planar != 1 || offsets == null || counts == null) {
            throw new IOException("unsupported TIFF (compression " + compression + ", predictor " + predictor
                    + ", planar or tiled): " + file);
        }
        int bytes = width * height * samples * (bits / 8);
        byte[] data = new byte[bytes];
        int pos = 0;
        for (int s = 0; s < offsets.length && pos < bytes; s++) {
            byte[] strip = new byte[(int) counts[s]];
            b.position((int) offsets[s]);
            b.get(strip);
            if (deflate) {
                java.util.zip.Inflater inflater = new java.util.zip.Inflater();
                inflater.setInput(strip);
                try {
                    while (pos < bytes && !inflater.finished()) {
                        int got = inflater.inflate(data, pos, bytes - pos);
                        if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) break;
                        pos += got;
                    }
                } catch (java.util.zip.DataFormatException e) {
                    throw new IOException("bad deflate data in " + file, e);
                } finally {
                    inflater.end();
                }
            } else {
                int len = Math.min(strip.length, bytes - pos);
                System.arraycopy(strip, 0, data, pos, len);
                pos += len;
            }
        }
        if (pos != bytes) throw new IOException("short pixel data in " + file + ": " + pos + " of " + bytes + " bytes");
        return new TinyTiff(width, height, samples, bits, data, b.order());
    }

    private static long[] values(ByteBuffer b, int type, int count, int at) {
        int size = type == 3 ? 2 : type == 4 ? 4 : 1;
        int where = size * count <= 4 ? at : b.getInt(at);
        long[] v = new long[count];
        for (int i = 0; i < count; i++) {
            v[i] = size == 2 ? b.getShort(where + 2 * i) & 0xffff : size == 4 ? b.getInt(where + 4 * i) & 0xffffffffL
                    : b.get(where + i) & 0xff;
        }
        return v;
    }

    /** The host pixel array: byte[] (8-bit gray), short[] (16-bit), int[] packed RGB. */
    public Object pixels() {
        if (samples == 1 && bits == 8) return data.clone();
        if (samples == 1 && bits == 16) {
            short[] s = new short[width * height];
            ByteBuffer.wrap(data).order(order).asShortBuffer().get(s);
            return s;
        }
        if (samples == 3 && bits == 8) {
            int[] rgb = new int[width * height];
            for (int i = 0; i < rgb.length; i++) {
                rgb[i] = 0xff000000 | (data[3 * i] & 0xff) << 16 | (data[3 * i + 1] & 0xff) << 8 | (data[3 * i + 2] & 0xff);
            }
            return rgb;
        }
        throw new IllegalStateException("unsupported: " + samples + " x " + bits + " bits");
    }
}
