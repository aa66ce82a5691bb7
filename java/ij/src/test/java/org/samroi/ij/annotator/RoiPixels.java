package org.samroi.ij.annotator;

import ij.gui.Roi;
import ij.io.RoiDecoder;
import ij.process.ImageProcessor;

import java.awt.Rectangle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** The pixels ImageJ fills for ROIs read from RoiSet files (no window needed). */
final class RoiPixels {

    private RoiPixels() {
    }

    /** The ROIs of a RoiSet .zip in file order, decoded by ImageJ. */
    static List<Roi> open(Path zip) throws IOException {
        List<Roi> rois = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null;) {
                Roi roi = new RoiDecoder(readAll(in), entry.getName()).getRoi();
                if (roi == null) throw new IOException("ImageJ cannot decode " + entry.getName() + " of " + zip);
                rois.add(roi);
            }
        }
        return rois;
    }

    /** The pixels ImageJ fills for roi, as a width x height array (row-major). */
    static boolean[] fill(Roi roi, int width, int height) {
        Rectangle b = roi.getBounds();
        ImageProcessor mask = roi.getMask(); // null: a plain rectangle, every pixel
        boolean[] out = new boolean[width * height];
        for (int y = 0; y < b.height; y++) {
            for (int x = 0; x < b.width; x++) {
                if (mask != null && mask.get(x, y) == 0) continue;
                int ix = b.x + x;
                int iy = b.y + y;
                if (ix >= 0 && iy >= 0 && ix < width && iy < height) out[iy * width + ix] = true;
            }
        }
        return out;
    }

    static int count(boolean[] pixels) {
        int n = 0;
        for (boolean p : pixels) if (p) n++;
        return n;
    }

    static int differ(boolean[] a, boolean[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) if (a[i] != b[i]) n++;
        return n;
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) > 0;) out.write(buffer, 0, n);
        return out.toByteArray();
    }
}
