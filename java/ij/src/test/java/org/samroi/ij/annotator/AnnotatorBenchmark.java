package org.samroi.ij.annotator;

import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.ImageCanvas;
import ij.plugin.frame.RoiManager;
import ij.process.ImageProcessor;

import java.awt.GraphicsEnvironment;
import java.awt.Point;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.event.InputEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.samroi.core.ImageOptions;
import org.samroi.core.Prompt;
import org.samroi.core.SegmentOptions;
import org.samroi.ij.ImagePlanes;
import org.samroi.ij.PluginSettings;
import org.samroi.ij.SamRoi;

/**
 * Click-to-ROI latency of the Annotator with a cached embedding (a main class, not a test; run
 * it with scripts/bench-ij-annotator.sh, which starts a virtual display). Real ImageJ, the
 * Annotator's window, the point tool, and real mouse clicks (java.awt.Robot, through the X
 * server) on the cells of a real image, one after the other: each click waits until its ROI is
 * in the ROI Manager. Printed as a markdown table:
 *
 * <ul>
 * <li>mouse release to ROI in the ROI Manager: from just before the Robot releases the button
 * (the X server, AWT, ImageJ's own handling, then the Annotator) to the ROI Manager holding the
 * ROI;</li>
 * <li>the same from the Annotator's mouse listener;</li>
 * <li>for comparison, the same prompts through {@link SamRoi#segment} alone (worker round trip,
 * decoder, polygon, no GUI).</li>
 * </ul>
 *
 * Arguments: IMAGE LABELS [CLICKS]: the image, a label image whose objects give the click points
 * (the pixel of each object nearest its centre of mass), and the number of measured clicks
 * (default 50). One click before them encodes the image, and {@link #WARMUP} more let the JVM
 * compile the code a click runs (ImageJ's drawing, the ROI Manager, the worker protocol); none
 * of these is measured. With the environment variable {@code SAMROI_BENCHMARK_LABELS} set to the
 * label image (scripts/bench-ij-annotator.sh --objects), the worker gives each click the mask of
 * the labelled object under it (samroi.bench_engine.ObjectShapedSession) instead of the random
 * weights' noise.
 */
public final class AnnotatorBenchmark {

    /**
     * A pause before each click, at a user's pace, so that drawing the last outline does not
     * compete with the next click for the CPU (-Dthink=MS changes it).
     */
    static final long THINK_MS = Long.getLong("think", 300);

    /**
     * Unmeasured clicks after the encoding one (-Dwarmup=N). In the first dozen clicks of a
     * fresh JVM its compilers take a core for tens of milliseconds per click, which an
     * annotating user meets only at the start.
     */
    static final int WARMUP = Integer.getInteger("warmup", 10);

    private AnnotatorBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (GraphicsEnvironment.isHeadless() || args.length < 2) {
            System.err.println("usage (with a display): AnnotatorBenchmark IMAGE LABELS [CLICKS]");
            System.exit(2);
        }
        int clicks = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        int unmeasured = 1 + WARMUP;
        List<int[]> points = clickPoints(args[1], unmeasured + clicks);
        if (points.size() < unmeasured + clicks) throw new IllegalArgumentException(args[1] + " has only " + points.size() + " objects");

        new ImageJ();
        ImagePlus imp = IJ.openImage(args[0]);
        imp.show();
        Edt.waitFor(() -> imp.getCanvas() != null && imp.getCanvas().isShowing(), 60);
        Edt.call(() -> {
            imp.getWindow().setLocation(0, 100);
            RoiManager.getRoiManager().setLocation(1500, 100);
            return null;
        });
        IJ.setTool("point");
        IJ.runPlugIn(AnnotatorCommand.class.getName(), "");
        Edt.waitFor(() -> WindowManager.getFrame(AnnotatorPanel.TITLE) instanceof AnnotatorPanel
                && WindowManager.getFrame(AnnotatorPanel.TITLE).isShowing(), 60);
        AnnotatorPanel panel = (AnnotatorPanel) WindowManager.getFrame(AnnotatorPanel.TITLE);
        BlockingQueue<long[]> shown = new LinkedBlockingQueue<>();
        AtomicReference<String> problem = new AtomicReference<>();
        panel.annotator().addObserver(new AnnotationListener() {
            @Override
            public void shown(int number, long gestureNanos) {
                shown.add(new long[] {gestureNanos, System.nanoTime()});
            }

            @Override
            public void failed(int number, Throwable error) {
                problem.set(Messages.failure(error));
                shown.add(new long[0]);
            }

            @Override
            public void nothingFound(int number) {
                problem.set("nothing found");
                shown.add(new long[0]);
            }
        });

        Robot robot = new Robot();
        List<Double> fromRelease = new ArrayList<>();
        List<Double> fromListener = new ArrayList<>();
        int missed = 0;
        for (int i = 0; i < unmeasured + clicks; i++) {
            Point p = screenPoint(imp, points.get(i));
            robot.mouseMove(p.x, p.y);
            robot.waitForIdle();
            Thread.sleep(THINK_MS);
            robot.mousePress(InputEvent.BUTTON1_DOWN_MASK);
            long released = System.nanoTime();
            robot.mouseRelease(InputEvent.BUTTON1_DOWN_MASK);
            long[] t = shown.poll(i == 0 ? 600 : 60, TimeUnit.SECONDS);
            if (t == null || t.length == 0 && i == 0) {
                throw new IllegalStateException("click " + i + " gave no ROI: " + problem.get());
            }
            if (t.length == 0) {
                missed++; // the random weights may find nothing at a point
                continue;
            }
            if (i < unmeasured) continue; // encodes the image; warms the JVM up
            fromRelease.add((t[1] - released) / 1e6);
            fromListener.add((t[1] - t[0]) / 1e6);
        }
        int inManager = Edt.call(() -> RoiManager.getInstance().getCount());
        if (inManager != unmeasured + clicks - missed) {
            throw new IllegalStateException(inManager + " ROIs in the ROI Manager, expected " + (unmeasured + clicks - missed));
        }

        // The same prompts without the GUI, on this thread.
        ImageOptions options = SamRoi.settings().imageOptions();
        ImagePlanes.Plane plane = ImagePlanes.current(imp);
        List<Double> core = new ArrayList<>();
        for (int i = unmeasured; i < unmeasured + clicks; i++) {
            long start = System.nanoTime();
            SamRoi.segment(plane, options, Collections.singletonList(Prompt.point(points.get(i)[0], points.get(i)[1])),
                    SegmentOptions.defaults());
            core.add((System.nanoTime() - start) / 1e6);
        }

        PluginSettings settings = SamRoi.settings();
        System.out.println();
        System.out.printf(Locale.ROOT, "Annotator click to ROI, %s (%d x %d, %d-bit), %s, %d clicks after %d unmeasured, cached embedding%s%n",
                imp.getTitle(), imp.getWidth(), imp.getHeight(), imp.getBitDepth(), settings.model()
                        + (settings.checkpoint() == null ? "" : " (" + settings.checkpoint().getFileName() + ")"),
                clicks, unmeasured, System.getenv("SAMROI_BENCHMARK_LABELS") == null ? ""
                        : ", object-shaped masks (each click's decoder output swapped for the labelled object under it)");
        System.out.println();
        System.out.println("| measurement | median (ms) | p95 (ms) | min (ms) | max (ms) |");
        System.out.println("|---|---:|---:|---:|---:|");
        row("mouse release to ROI in the ROI Manager", fromRelease);
        row("Annotator's mouse listener to ROI in the ROI Manager", fromListener);
        row("same prompts through SamRoi.segment alone (no GUI)", core);
        System.out.println();
        if (missed > 0) System.out.println(missed + " click(s) found no object and were not measured.");
        System.out.println("machine load (1/5/15 min): " + load());
        System.exit(0);
    }

    static void row(String what, List<Double> ms) {
        List<Double> s = new ArrayList<>(ms);
        Collections.sort(s);
        System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f |%n", what, percentile(s, 50), percentile(s, 95),
                s.get(0), s.get(s.size() - 1));
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(List<Double> sorted, double p) {
        int rank = (int) Math.ceil(p / 100 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    /** For each label (in label order), the pixel of the object nearest its centre of mass. */
    static List<int[]> clickPoints(String labels, int max) {
        ImagePlus lab = IJ.openImage(labels);
        if (lab == null) throw new IllegalArgumentException("cannot open " + labels);
        ImageProcessor ip = lab.getProcessor();
        int n = (int) ip.getStatistics().max;
        double[] sx = new double[n + 1], sy = new double[n + 1];
        int[] count = new int[n + 1];
        for (int y = 0; y < ip.getHeight(); y++) {
            for (int x = 0; x < ip.getWidth(); x++) {
                int k = (int) ip.getPixelValue(x, y);
                if (k <= 0) continue;
                sx[k] += x;
                sy[k] += y;
                count[k]++;
            }
        }
        int[][] best = new int[n + 1][];
        double[] bestD = new double[n + 1];
        java.util.Arrays.fill(bestD, Double.MAX_VALUE);
        for (int y = 0; y < ip.getHeight(); y++) {
            for (int x = 0; x < ip.getWidth(); x++) {
                int k = (int) ip.getPixelValue(x, y);
                if (k <= 0) continue;
                double dx = x - sx[k] / count[k], dy = y - sy[k] / count[k];
                if (dx * dx + dy * dy < bestD[k]) {
                    bestD[k] = dx * dx + dy * dy;
                    best[k] = new int[] {x, y};
                }
            }
        }
        List<int[]> points = new ArrayList<>();
        for (int k = 1; k <= n && points.size() < max; k++) {
            if (best[k] != null) points.add(best[k]);
        }
        return points;
    }

    static Point screenPoint(ImagePlus imp, int[] pixel) throws Exception {
        return Edt.call(() -> {
            ImageCanvas c = imp.getCanvas();
            Point p = c.getLocationOnScreen();
            Rectangle src = c.getSrcRect();
            double mag = c.getMagnification();
            return new Point(p.x + (int) Math.floor((pixel[0] + 0.5 - src.x) * mag),
                    p.y + (int) Math.floor((pixel[1] + 0.5 - src.y) * mag));
        });
    }

    static String load() {
        try {
            return new String(java.nio.file.Files.readAllBytes(java.nio.file.Paths.get("/proc/loadavg")),
                    java.nio.charset.StandardCharsets.US_ASCII).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }


}
