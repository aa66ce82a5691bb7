package org.samroi.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.samroi.ij.IjTests.count;
import static org.samroi.ij.IjTests.dev;
import static org.samroi.ij.IjTests.fill;
import static org.samroi.ij.IjTests.readAll;
import static org.samroi.ij.IjTests.shared;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.Roi;
import ij.io.RoiDecoder;
import ij.process.ImageProcessor;
import java.awt.GraphicsEnvironment;
import java.awt.Rectangle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The command line's RoiSet.zip, opened by real ImageJ (net.imagej:ij from Maven Central) headless.
 *
 * <p>{@code samroi polygons} and {@code samroi segment} run as subprocesses with the Python of the
 * system property {@code samroi.python} (default python3) and PYTHONPATH set to this checkout's
 * python/ folder. ImageJ's own classes then read the RoiSet (ij.io.RoiDecoder, entry by entry, as
 * RoiManager's "Open" does; RoiManager itself is a window and cannot exist headless) and fill every
 * ROI (Roi.getMask()), which must give back exactly the object pixels of the label TIFF, read with
 * IJ.openImage.
 */
class CliRoiSetInImageJTest {

    private static final int TIMEOUT_SECONDS = 600;

    @TempDir
    static Path tmp;




    @BeforeAll
    static void headless() {
        assertTrue(GraphicsEnvironment.isHeadless(), "run with -Djava.awt.headless=true");
    }

    /** Runs {@code python -m samroi ARGS} with its ONNX graphs in this test's folder. */
    static String samroi(String... args) throws IOException, InterruptedException {
        return IjTests.samroiWithHome(tmp, tmp.resolve("samroi-home"), TIMEOUT_SECONDS, args);
    }

    /** The ROIs of a RoiSet .zip in file order, decoded by ImageJ, with their entry names. */
    static List<Roi> openRoiSet(Path zip, List<String> entryNames) throws IOException {
        List<Roi> rois = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null;) {
                String name = entry.getName();
                assertTrue(name.endsWith(".roi"), "not a .roi entry: " + name);
                Roi roi = new RoiDecoder(readAll(in), name).getRoi();
                assertNotNull(roi, "ImageJ cannot decode " + name);
                rois.add(roi);
                entryNames.add(name);
            }
        }
        return rois;
    }


    /** A 16-bit label TIFF read by ImageJ, as an int array [y * width + x]. */
    static int[] openLabels(Path path, int width, int height) {
        ImagePlus imp = IJ.openImage(path.toString());
        assertNotNull(imp, "ImageJ cannot open " + path);
        assertEquals(ImagePlus.GRAY16, imp.getType(), path + " is not 16-bit");
        assertEquals(width, imp.getWidth());
        assertEquals(height, imp.getHeight());
        ImageProcessor ip = imp.getProcessor();
        int[] labels = new int[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) labels[y * width + x] = ip.get(x, y);
        }
        return labels;
    }


    /** Bounding box of the set pixels, or null. */
    static Rectangle bounds(boolean[] pixels, int width) {
        int x0 = Integer.MAX_VALUE, y0 = Integer.MAX_VALUE, x1 = -1, y1 = -1;
        for (int i = 0; i < pixels.length; i++) {
            if (!pixels[i]) continue;
            int x = i % width, y = i / width;
            x0 = Math.min(x0, x);
            y0 = Math.min(y0, y);
            x1 = Math.max(x1, x);
            y1 = Math.max(y1, y);
        }
        return x1 < 0 ? null : new Rectangle(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    }

    static boolean[] where(int[] labels, int label) {
        boolean[] out = new boolean[labels.length];
        for (int i = 0; i < labels.length; i++) out[i] = labels[i] == label;
        return out;
    }


    /** dsb_fluo_d04: the case (199 nuclei); usiigaci_phase_d02: 48 cells, 2 in several parts. */
    @ParameterizedTest
    @CsvSource({"dsb_fluo_d04, 199, 696, 520, 0", "usiigaci_phase_d02, 48, 1024, 1022, 2"})
    void polygonsRoiSetFillsBackToTheLabels(String name, int objects, int width, int height, int expectComposites)
            throws Exception {
        Path labelsTif = dev(name + "_labels.tif");
        Path zip = tmp.resolve(name + "-X.zip");
        String output = samroi("polygons", labelsTif.toString(), "--out", zip.toString());
        assertTrue(output.contains(objects + " ROIs"), output);

        int[] labels = openLabels(labelsTif, width, height);
        List<String> entries = new ArrayList<>();
        List<Roi> rois = openRoiSet(zip, entries);
        assertEquals(objects, rois.size());
        int composites = 0;
        for (int k = 1; k <= rois.size(); k++) {
            Roi roi = rois.get(k - 1);
            String roiName = String.format("%03d-label", k);
            assertEquals(roiName, roi.getName());
            assertEquals(roiName + ".roi", entries.get(k - 1));
            boolean[] want = where(labels, k);
            assertTrue(count(want) > 0, "label " + k + " is empty");
            assertEquals(bounds(want, width), roi.getBounds(), roiName + " bounds");
            boolean[] got = fill(roi, width, height);
            assertTrue(Arrays.equals(want, got), roiName + ": ImageJ fills " + count(got) + " pixels, the label has "
                    + count(want) + " (" + mismatches(want, got) + " differ)");
            if (roi.getType() == Roi.COMPOSITE) composites++;
            else assertEquals(Roi.TRACED_ROI, roi.getType(), roiName + " type");
        }
        assertEquals(expectComposites, composites, "objects in several parts or with holes");
        System.out.println("polygons " + name + ": " + objects + " ROIs equal their labels in ImageJ (" + composites
                + " composite)");
    }

    @Test
    void segmentRoiSetMatchesItsLabelTiff() throws Exception {
        Path image = dev("dsb_fluo_d01.tif");
        Path checkpoint = shared().resolve("reference").resolve("efficient_sam_vitt_random.pt");
        String[] prompts = {"--box", "179,147,218,197", "--box", "104,132,125,153", "--box", "0,198,15,228"};
        Path zip = tmp.resolve("Y.zip");
        Path tif = tmp.resolve("Y.tif");
        String cache = tmp.resolve("embeddings").toString(); // the second run reuses the encoding
        for (Path out : new Path[] {zip, tif}) {
            List<String> args = new ArrayList<>(Arrays.asList("segment", image.toString(), "--model",
                    "efficientsam-ti", "--checkpoint", checkpoint.toString(), "--cache-dir", cache, "--out",
                    out.toString()));
            args.addAll(Arrays.asList(prompts));
            samroi(args.toArray(new String[0]));
        }

        int width = 256, height = 256;
        int[] labels = openLabels(tif, width, height);
        List<String> entries = new ArrayList<>();
        List<Roi> rois = openRoiSet(zip, entries);
        int n = prompts.length / 2;
        assertEquals(n, rois.size());
        boolean[] union = new boolean[width * height];
        int composites = 0, overwritten = 0;
        for (int k = 1; k <= n; k++) {
            Roi roi = rois.get(k - 1);
            String name = String.format("%03d-efficientsam-ti", k);
            assertEquals(name, roi.getName());
            assertEquals(name + ".roi", entries.get(k - 1));
            boolean[] got = fill(roi, width, height);
            assertTrue(count(got) > 0, name + " is empty");
            assertEquals(bounds(got, width), roi.getBounds(), name + ": bounds and ImageJ's fill disagree");
            if (roi.getType() == Roi.COMPOSITE) composites++; // holes: ImageJ's ShapeRoi fill
            else assertEquals(Roi.TRACED_ROI, roi.getType(), name + " type");
            // The label TIFF holds object k where no later object overwrote it (the documented rule).
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == k && !got[i] || got[i] && labels[i] < k) {
                    fail(name + " and label " + k + " of the TIFF differ at " + (i % width) + "," + (i / width)
                            + " (label there: " + labels[i] + ")");
                }
                if (got[i] && labels[i] > k) overwritten++;
                union[i] |= got[i];
            }
            if (k == n) {
                boolean[] want = where(labels, k);
                assertTrue(Arrays.equals(want, got), name + " differs from its label (" + mismatches(want, got) + ")");
                assertEquals(bounds(want, width), roi.getBounds(), name + " bounds");
            }
        }
        for (int i = 0; i < labels.length; i++) {
            assertEquals(labels[i] > 0, union[i], "pixel " + (i % width) + "," + (i / width));
        }
        // The random-weight masks are ragged blobs with holes: the composite path is exercised.
        assertTrue(composites > 0, "no ROI with holes: the composite (ShapeRoi) fill went untested");
        System.out.println("segment: " + n + " ROIs equal the label TIFF in ImageJ (" + composites
                + " composite, " + overwritten + " pixels overwritten by later objects)");
    }

    static int mismatches(boolean[] a, boolean[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) if (a[i] != b[i]) n++;
        return n;
    }
}
