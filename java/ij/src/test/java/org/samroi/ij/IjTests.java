package org.samroi.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ij.gui.Roi;
import ij.io.RoiDecoder;
import ij.process.ImageProcessor;
import java.awt.Rectangle;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Shared test helpers: where things are (system properties set by Surefire and Failsafe), the
 * samroi command line as a subprocess, RoiSets read by ImageJ's decoder, and the pixels ImageJ
 * fills for a ROI.
 */
public final class IjTests {

    static final int TIMEOUT_SECONDS = 900;

    private IjTests() {
    }

    public static Path repo() {
        return Paths.get(System.getProperty("samroi.root", "../..")).toAbsolutePath().normalize();
    }

    public static Path shared() {
        return Paths.get(System.getProperty("samroi.shared", repo().resolve("../shared").toString())).toAbsolutePath()
                .normalize();
    }

    public static Path dev(String name) {
        return shared().resolve("data").resolve("dev").resolve(name);
    }

    /** The random-weight EfficientSAM-Ti fixture. */
    static Path checkpoint() {
        return Paths.get(System.getProperty("samroi.checkpoint",
                shared().resolve("reference").resolve("efficient_sam_vitt_random.pt").toString()));
    }

    static String python() {
        return System.getProperty("samroi.python", "python3");
    }

    /**
     * Runs {@code python -m samroi ARGS} with this checkout's python/ on PYTHONPATH and no weights
     * server; fails the test with its output unless it exits 0.
     */
    static String samroi(Path workDir, String... args) throws IOException, InterruptedException {
        return samroiWithHome(workDir, null, TIMEOUT_SECONDS, args);
    }

    /**
     * As {@link #samroi(Path, String...)}, with SAMROI_HOME (weights, ONNX graphs) in home when
     * not null, and the given time limit.
     */
    static String samroiWithHome(Path workDir, Path home, int timeoutSeconds, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(Arrays.asList(python(), "-m", "samroi"));
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("PYTHONPATH", repo().resolve("python").toString());
        if (home != null) env.put("SAMROI_HOME", home.toString());
        env.put("SAMROI_WEIGHTS_URL", "http://127.0.0.1:9/"); // never the internet
        File log = workDir.resolve("cli-" + System.nanoTime() + ".log").toFile();
        builder.redirectOutput(log);
        Process process = builder.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("samroi " + String.join(" ", args) + " did not finish in " + timeoutSeconds + " s");
        }
        String output = new String(Files.readAllBytes(log.toPath()), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), "samroi " + String.join(" ", args) + " failed:\n" + output);
        return output;
    }

    /** `samroi segment IMAGE --out OUT.zip` with the fixture checkpoint and the given prompt flags; its ROIs. */
    static List<Roi> cliSegment(Path workDir, Path image, String... promptArgs) throws IOException, InterruptedException {
        Path zip = workDir.resolve("cli-" + System.nanoTime() + ".zip");
        List<String> args = new ArrayList<>(Arrays.asList("segment", image.toString(), "--model", "efficientsam-ti",
                "--checkpoint", checkpoint().toString(), "--out", zip.toString(), "--quiet"));
        args.addAll(Arrays.asList(promptArgs));
        samroi(workDir, args.toArray(new String[0]));
        return openRoiSet(zip);
    }

    /** The ROIs of a RoiSet .zip in file order, decoded by ImageJ. */
    public static List<Roi> openRoiSet(Path zip) throws IOException {
        List<Roi> rois = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null;) {
                Roi roi = new RoiDecoder(readAll(in), entry.getName()).getRoi();
                assertNotNull(roi, "ImageJ cannot decode " + entry.getName() + " of " + zip);
                rois.add(roi);
            }
        }
        return rois;
    }

    public static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) > 0;) out.write(buffer, 0, n);
        return out.toByteArray();
    }

    /** Pixels ImageJ fills for a ROI, as a full-image boolean array. */
    public static boolean[] fill(Roi roi, int width, int height) {
        Rectangle b = roi.getBounds();
        ImageProcessor mask = roi.getMask(); // null: a plain rectangle, every pixel
        boolean[] out = new boolean[width * height];
        for (int y = 0; y < b.height; y++) {
            for (int x = 0; x < b.width; x++) {
                if (mask != null && mask.get(x, y) == 0) continue;
                int ix = b.x + x;
                int iy = b.y + y;
                assertTrue(ix >= 0 && iy >= 0 && ix < width && iy < height,
                        roi.getName() + " fills a pixel outside the image: " + ix + "," + iy);
                out[iy * width + ix] = true;
            }
        }
        return out;
    }

    public static int count(boolean[] pixels) {
        int n = 0;
        for (boolean p : pixels) if (p) n++;
        return n;
    }

    /** The number of pixels where two fills differ. */
    public static int mismatches(boolean[] a, boolean[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) if (a[i] != b[i]) n++;
        return n;
    }

    /** Asserts both ROIs fill exactly the same pixels (and something). */
    static void assertSamePixels(Roi want, Roi got, int width, int height, String what) {
        boolean[] a = fill(want, width, height);
        boolean[] b = fill(got, width, height);
        assertTrue(count(a) > 0, what + ": the reference ROI is empty");
        int differ = mismatches(a, b);
        assertEquals(0, differ, what + ": " + differ + " pixels differ (samroi segment fills " + count(a)
                + ", the plugin's ROI " + count(b) + ")");
    }
}
