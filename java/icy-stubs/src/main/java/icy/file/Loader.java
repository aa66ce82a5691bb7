package icy.file;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.Raster;
import java.io.File;
import java.io.IOException;

import javax.imageio.ImageIO;

import icy.image.IcyBufferedImage;
import icy.sequence.Sequence;

/**
 * Mirror of Icy 2.5's Loader (the member samroi uses; API.md section 13). Icy reads files with
 * Bio-Formats; this body reads plain 8-bit, 16-bit and RGB TIFF/PNG files with the JDK's
 * ImageIO, enough for tests, and returns null when it cannot (as Icy does).
 */
public class Loader {

    private Loader() {
    }

    public static Sequence loadSequence(String path, int series, boolean showProgress) {
        try {
            BufferedImage image = ImageIO.read(new File(path));
            if (image == null) return null;
            Raster r = image.getRaster();
            int w = image.getWidth();
            int h = image.getHeight();
            int bands = r.getNumBands();
            Object[] planes = new Object[bands];
            if (r.getDataBuffer() instanceof DataBufferUShort && bands == 1) {
                planes[0] = ((DataBufferUShort) r.getDataBuffer()).getData().clone();
            } else if (r.getDataBuffer() instanceof DataBufferByte) {
                for (int b = 0; b < bands; b++) {
                    int[] samples = r.getSamples(0, 0, w, h, b, (int[]) null);
                    byte[] plane = new byte[w * h];
                    for (int i = 0; i < plane.length; i++) plane[i] = (byte) samples[i];
                    planes[b] = plane;
                }
            } else {
                return null;
            }
            return new Sequence(new File(path).getName(), new IcyBufferedImage(w, h, planes, false));
        } catch (IOException e) {
            return null;
        }
    }
}
