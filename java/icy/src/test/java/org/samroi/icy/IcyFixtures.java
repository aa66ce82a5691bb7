package org.samroi.icy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.geom.Path2D;
import java.awt.geom.PathIterator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.samroi.core.PolygonShape;
import org.samroi.core.SegmentationScenario;
import org.samroi.core.TestSupport;
import org.samroi.core.TinyTiff;

import groovy.json.JsonSlurper;
import icy.image.IcyBufferedImage;
import icy.roi.ROI;
import icy.sequence.Sequence;
import icy.type.geom.Polygon2D;
import plugins.kernel.roi.roi2d.ROI2DPolygon;
import plugins.kernel.roi.roi2d.ROI2DShape;

/** Real dev images as (mirror) Icy sequences, and what the samroi command line makes of the same prompts. */
final class IcyFixtures {

    static final String GRAY = "dsb_fluo_d01.tif"; // 256 x 256 uint8
    static final String RGB = "dsb_he_d01.tif"; // 256 rows x 320 columns, RGB uint8
    static final String MODEL = "efficientsam-ti";
    /** Two clicks and two boxes, named a..d; pixel indices. */
    static final List<String> PROMPTS = Arrays.asList("prompt,x,y,label,x0,y0,x1,y1", "a,150,100,1,,,,", "b,60,200,1,,,,",
            "c,,,,40,60,90,120", "d,,,,170,20,230,80");

    private IcyFixtures() {
    }

    static Path checkpoint() {
        return SegmentationScenario.checkpoint();
    }

    static Path dev(String name) {
        return TestSupport.devData().resolve(name);
    }

    static TinyTiff tiff(String name) throws IOException {
        return TinyTiff.read(dev(name));
    }

    /** A gray 8-bit dev image as a one-channel UBYTE sequence. */
    static Sequence gray(String name) throws IOException {
        TinyTiff t = tiff(name);
        return new Sequence(name, new IcyBufferedImage(t.width, t.height, t.pixels(), false));
    }

    /** An RGB dev image as Icy holds it: three UBYTE channels, one array each. */
    static Sequence rgb(String name) throws IOException {
        TinyTiff t = tiff(name);
        int[] packed = (int[]) t.pixels();
        byte[][] planes = new byte[3][packed.length];
        for (int i = 0; i < packed.length; i++) {
            for (int c = 0; c < 3; c++) planes[c][i] = (byte) (packed[i] >> (16 - 8 * c));
        }
        return new Sequence(name, new IcyBufferedImage(t.width, t.height, planes, false));
    }

    static Path csv(Path dir, List<String> lines) throws IOException {
        Path file = dir.resolve("prompts.csv");
        Files.write(file, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        return file;
    }

    /**
     * The objects the samroi command line segments for the prompts in csv, by ROI name: the mask
     * each one's polygons fill (GeoJSON output, even-odd at pixel centres).
     */
    static Map<String, boolean[]> library(String image, Path csv, Path dir, String... extra) throws Exception {
        List<String> key = new ArrayList<>(Arrays.asList(image, new String(Files.readAllBytes(csv), StandardCharsets.UTF_8)));
        key.addAll(Arrays.asList(extra));
        Map<String, boolean[]> known = LIBRARY.get(key);
        if (known != null) return known;
        Path out = dir.resolve("library.geojson");
        List<String> cmd = new ArrayList<>(Arrays.asList(TestSupport.python().toString(), "-m", "samroi", "segment",
                dev(image).toString(), "--model", MODEL, "--checkpoint", checkpoint().toString(), "--prompts", csv.toString(),
                "--out", out.toString(), "--quiet"));
        cmd.addAll(Arrays.asList(extra));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = read(p.getInputStream());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the command line did not finish");
        assertEquals(0, p.exitValue(), "samroi segment failed: " + cmd + "\n" + output);
        TinyTiff t = tiff(image);
        Map<?, ?> geo = (Map<?, ?>) new JsonSlurper().parseText(new String(Files.readAllBytes(out), StandardCharsets.UTF_8));
        Map<String, boolean[]> masks = new LinkedHashMap<>();
        for (Object f : (List<?>) geo.get("features")) {
            Map<?, ?> feature = (Map<?, ?>) f;
            String name = (String) ((Map<?, ?>) feature.get("properties")).get("name");
            Map<?, ?> geometry = (Map<?, ?>) feature.get("geometry");
            List<?> polygons = "Polygon".equals(geometry.get("type")) ? Collections.singletonList(geometry.get("coordinates"))
                    : (List<?>) geometry.get("coordinates");
            List<PolygonShape> rings = new ArrayList<>();
            for (Object polygon : polygons) {
                for (Object ring : (List<?>) polygon) rings.add(ring((List<?>) ring));
            }
            masks.put(name, SegmentationScenario.fill(rings, t.width, t.height));
        }
        Files.delete(out);
        LIBRARY.put(key, masks);
        return masks;
    }

    /** What the command line answered, by image, prompts and arguments: each is asked once per test run. */
    private static final Map<List<String>, Map<String, boolean[]>> LIBRARY = new java.util.concurrent.ConcurrentHashMap<>();

    /** The label image the samroi command line writes for the prompts in csv (uint16, object k = label k). */
    static short[] libraryLabels(Path image, Path csv, Path dir, String... extra) throws Exception {
        Path out = dir.resolve("library_labels.tif");
        List<String> cmd = new ArrayList<>(Arrays.asList(TestSupport.python().toString(), "-m", "samroi", "segment",
                image.toString(), "--model", MODEL, "--checkpoint", checkpoint().toString(), "--prompts", csv.toString(),
                "--out", out.toString(), "--quiet"));
        cmd.addAll(Arrays.asList(extra));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = read(p.getInputStream());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the command line did not finish");
        assertEquals(0, p.exitValue(), "samroi segment failed: " + cmd + "\n" + output);
        TinyTiff t = TinyTiff.read(out);
        assertEquals(16, t.bits);
        Files.delete(out);
        return (short[]) t.pixels();
    }

    /** One GeoJSON ring (closed: last = first) as a hole-less shape; filling all rings alike is even-odd. */
    private static PolygonShape ring(List<?> coordinates) {
        int n = coordinates.size() - 1;
        int[] x = new int[n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            List<?> xy = (List<?>) coordinates.get(i);
            x[i] = ((Number) xy.get(0)).intValue();
            y[i] = ((Number) xy.get(1)).intValue();
        }
        return new PolygonShape(x, y, Collections.<int[]>emptyList(), Collections.<int[]>emptyList(), 0);
    }

    /** The pixels a polygon or path ROI covers, decided at pixel centres (even-odd over its rings). */
    static boolean[] mask(ROI roi, int width, int height) {
        List<PolygonShape> rings = new ArrayList<>();
        if (roi instanceof ROI2DPolygon) {
            Polygon2D p = ((ROI2DPolygon) roi).getPolygon2D();
            rings.add(ring(p.xpoints, p.ypoints, p.npoints));
        } else if (roi instanceof ROI2DShape) {
            Path2D path = (Path2D) ((ROI2DShape) roi).getShape();
            assertEquals(Path2D.WIND_EVEN_ODD, path.getWindingRule());
            List<double[]> pts = new ArrayList<>();
            double[] c = new double[6];
            for (PathIterator it = path.getPathIterator(null); !it.isDone(); it.next()) {
                int type = it.currentSegment(c);
                if (type == PathIterator.SEG_MOVETO && !pts.isEmpty()) {
                    rings.add(pathRing(pts));
                    pts.clear();
                }
                if (type == PathIterator.SEG_MOVETO || type == PathIterator.SEG_LINETO) pts.add(new double[] { c[0], c[1] });
                if (type == PathIterator.SEG_QUADTO || type == PathIterator.SEG_CUBICTO) fail("curves in an outline");
            }
            if (!pts.isEmpty()) rings.add(pathRing(pts));
        } else {
            fail("not an outline ROI: " + roi);
        }
        return SegmentationScenario.fill(rings, width, height);
    }

    private static PolygonShape ring(double[] xs, double[] ys, int n) {
        int[] x = new int[n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = exact(xs[i]);
            y[i] = exact(ys[i]);
        }
        return new PolygonShape(x, y, Collections.<int[]>emptyList(), Collections.<int[]>emptyList(), 0);
    }

    private static PolygonShape pathRing(List<double[]> pts) {
        double[] xs = new double[pts.size()];
        double[] ys = new double[pts.size()];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = pts.get(i)[0];
            ys[i] = pts.get(i)[1];
        }
        return ring(xs, ys, xs.length);
    }

    /** Outline vertices lie on pixel edges: whole numbers. */
    private static int exact(double v) {
        assertEquals(Math.rint(v), v, "an outline vertex off the pixel edges");
        return (int) v;
    }

    static int differing(boolean[] a, boolean[] b) {
        assertEquals(a.length, b.length);
        int n = 0;
        for (int i = 0; i < a.length; i++) n += a[i] != b[i] ? 1 : 0;
        return n;
    }

    static int count(boolean[] mask) {
        int n = 0;
        for (boolean b : mask) n += b ? 1 : 0;
        return n;
    }

    static String read(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) b.write(buf, 0, n);
        return new String(b.toByteArray(), StandardCharsets.UTF_8);
    }
}
