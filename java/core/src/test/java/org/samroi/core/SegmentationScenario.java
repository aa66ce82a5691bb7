package org.samroi.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The end-to-end check shared by the existing-Python and the uv tests: a real dev image, the
 * random-weight fixture checkpoint, one box and one point through {@link SamSession}; the
 * polygons must be closed pixel-edge rings whose even-odd pixel-centre fill equals, pixel for
 * pixel, the label image the samroi command line writes for the same prompt.
 */
public final class SegmentationScenario {

    public static final String IMAGE = "dsb_fluo_d01.tif"; // 256 x 256 uint8
    public static final String NORMALIZE = "percentile";
    public static final Prompt BOX = Prompt.fromRectangle(40, 60, 51, 61); // = box (40, 60, 90, 120)
    public static final Prompt POINT = Prompt.point(150, 100);

    private SegmentationScenario() {
    }

    public static Path checkpoint() {
        return TestSupport.shared().resolve("reference").resolve("efficient_sam_vitt_random.pt");
    }

    public static Path imageFile() {
        return TestSupport.devData().resolve(IMAGE);
    }

    public static ImagePixels image() throws IOException, BadImageException {
        return devImage(IMAGE);
    }

    /** An image of ../shared/data/dev (uncompressed TIFF). */
    public static ImagePixels devImage(String name) throws IOException, BadImageException {
        TinyTiff tiff = TinyTiff.read(TestSupport.devData().resolve(name));
        return ImagePixels.of(tiff.pixels(), tiff.width, tiff.height);
    }

    public static ImageOptions options() {
        return ImageOptions.defaults().withModel("efficientsam-ti").withCheckpoint(checkpoint()).withNormalize(NORMALIZE);
    }

    /**
     * Run the scenario; pythonCommand runs the CLI (e.g. [python3] or [env python, -I]).
     * Returns a one-line summary.
     */
    public static String run(SamSession session, List<String> pythonCommand, Path tmp) throws Exception {
        ImagePixels image = image();
        long t0 = System.nanoTime();
        ImageInfo info = session.setImage(image, options());
        long setMs = ms(t0);
        assertEquals(256, info.width());
        assertEquals(256, info.height());
        assertEquals("uint8", info.dtype());
        assertEquals("efficientsam-ti", info.model());
        assertEquals(checkpoint().toAbsolutePath().toRealPath().toString(), info.checkpoint());
        assertTrue(info.normalization().startsWith("percentile 1"), info.normalization());

        t0 = System.nanoTime();
        List<SegmentedObject> objects = session.segment(Arrays.asList(BOX, POINT), SegmentOptions.defaults());
        long segMs = ms(t0);
        assertEquals(2, objects.size());
        List<String> report = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            SegmentedObject o = objects.get(i);
            assertEquals(i, o.index());
            assertFalse(o.isEmpty(), "object " + i + " is empty");
            for (PolygonShape s : o.shapes()) assertClosed(s);
            boolean[] filled = fill(o.shapes(), 256, 256);
            int count = 0;
            for (boolean b : filled) count += b ? 1 : 0;
            assertEquals(o.area(), count, "the area the worker reports = the pixels the polygons fill");
            boolean[] expected = cliMask(pythonCommand, i == 0 ? BOX : POINT, tmp.resolve("labels " + i + ".tif"));
            int differ = 0;
            for (int p = 0; p < filled.length; p++) differ += filled[p] != expected[p] ? 1 : 0;
            assertEquals(0, differ, "object " + i + ": pixels differing from the Python library's mask");
            report.add(o.toString());
        }
        // A second click on the same image: the embedding is cached.
        t0 = System.nanoTime();
        SegmentedObject again = session.segment(Prompt.point(60, 200));
        long clickMs = ms(t0);
        assertNotEquals(null, again);
        return "setImage " + setMs + " ms, first segment (encode) " + segMs + " ms, cached click " + clickMs + " ms; "
                + report;
    }

    /** Every ring has at least 4 vertices and every edge, the closing one too, is a non-empty horizontal or vertical pixel edge. */
    public static void assertClosed(PolygonShape s) {
        assertRing(s.outerX(), s.outerY());
        for (int h = 0; h < s.holeCount(); h++) assertRing(s.holesX().get(h), s.holesY().get(h));
    }

    private static void assertRing(int[] x, int[] y) {
        assertEquals(x.length, y.length);
        assertTrue(x.length >= 4, "a ring needs at least 4 vertices, got " + x.length);
        for (int i = 0; i < x.length; i++) {
            int j = (i + 1) % x.length;
            boolean horizontal = y[i] == y[j] && x[i] != x[j];
            boolean vertical = x[i] == x[j] && y[i] != y[j];
            if (!(horizontal ^ vertical)) fail("edge " + i + " (" + x[i] + "," + y[i] + ")-(" + x[j] + "," + y[j] + ") is not a pixel edge");
        }
    }

    /**
     * Even-odd fill at pixel centres: pixel (x, y) is inside iff (x + 0.5, y + 0.5) is inside an
     * odd number of rings (outer rings and holes alike, so holes subtract). Scanline crossings,
     * independent of {@link PolygonShape#containsPixel}.
     */
    public static boolean[] fill(List<PolygonShape> shapes, int width, int height) {
        boolean[] mask = new boolean[width * height];
        for (PolygonShape s : shapes) {
            List<int[]> xs = new ArrayList<>(s.holesX());
            List<int[]> ys = new ArrayList<>(s.holesY());
            xs.add(0, s.outerX());
            ys.add(0, s.outerY());
            for (int row = 0; row < height; row++) {
                double cy = row + 0.5;
                List<Double> cross = new ArrayList<>();
                for (int r = 0; r < xs.size(); r++) {
                    int[] x = xs.get(r);
                    int[] y = ys.get(r);
                    for (int i = 0; i < x.length; i++) {
                        int j = (i + 1) % x.length;
                        if ((y[i] > cy) != (y[j] > cy)) cross.add(x[i] + (cy - y[i]) * (x[j] - x[i]) / (double) (y[j] - y[i]));
                    }
                }
                Collections.sort(cross);
                for (int k = 0; k + 1 < cross.size(); k += 2) {
                    for (int col = 0; col < width; col++) {
                        double cx = col + 0.5;
                        if (cx > cross.get(k) && cx < cross.get(k + 1)) mask[row * width + col] ^= true;
                    }
                }
            }
        }
        return mask;
    }

    /** The mask of one prompt as the samroi command line segments it (label TIFF, label 1). */
    public static boolean[] cliMask(List<String> python, Prompt prompt, Path out) throws Exception {
        List<String> cmd = new ArrayList<>(python);
        cmd.addAll(Arrays.asList("-m", "samroi", "segment", imageFile().toString(), "--model", "efficientsam-ti",
                "--checkpoint", checkpoint().toString(), "--normalize", NORMALIZE, "--quiet", "--out", out.toString()));
        for (Prompt.Point p : prompt.points()) {
            cmd.add("--point");
            cmd.add(Prompt.num(p.x()) + "," + Prompt.num(p.y()) + "," + (p.positive() ? 1 : 0));
        }
        if (prompt.box() != null) {
            Prompt.Box b = prompt.box();
            cmd.add("--box");
            cmd.add(Prompt.num(b.x0()) + "," + Prompt.num(b.y0()) + "," + Prompt.num(b.x1()) + "," + Prompt.num(b.y1()));
        }
        Process p = new ProcessBuilder(cmd).directory(out.getParent().toFile()).redirectErrorStream(true).start();
        String output = read(p.getInputStream());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the CLI did not finish");
        assertEquals(0, p.exitValue(), "samroi segment failed: " + cmd + "\n" + output);
        TinyTiff labels = TinyTiff.read(out);
        assertEquals(16, labels.bits);
        short[] l = (short[]) labels.pixels();
        boolean[] mask = new boolean[l.length];
        for (int i = 0; i < l.length; i++) mask[i] = l[i] == 1;
        Files.deleteIfExists(out);
        return mask;
    }

    private static String read(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) b.write(buf, 0, n);
        return new String(b.toByteArray(), StandardCharsets.UTF_8);
    }

    static long ms(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }
}
