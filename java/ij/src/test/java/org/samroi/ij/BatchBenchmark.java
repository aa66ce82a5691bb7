package org.samroi.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.Overlay;
import ij.gui.PointRoi;
import ij.plugin.filter.MaximumFinder;
import java.awt.Polygon;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Locale;
import org.samroi.core.ImageInfo;
import org.samroi.core.ImageOptions;
import org.samroi.core.SamSession;

/**
 * Batch throughput of Plugins > Segmentation > SAM ROI > Batch from ROIs (a benchmark, not a
 * test): 500 Process > Find Maxima points on the 4160 x 4176 mosaic, segmented through the
 * command's own code (BatchCommand, output to the overlay, headless), in one ImageJ VM with
 * one worker. Prints a markdown table:
 * <ul>
 * <li>cold: the image is new to the worker: its copy to shared memory, the encoder on every
 * tile the points touch (once each: the worker caches embeddings), 500 decodes, ROIs;</li>
 * <li>warm: the same prompts again: decodes, polygons and ROIs only.</li>
 * </ul>
 * Run by scripts/bench-ij-batch.sh. Arguments: [points (default 500)].
 */
public final class BatchBenchmark {

    private BatchBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int wanted = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        String image = IjTests.dev("mosaic_dsb_fluo_4160x4176.tif").toString();
        ImagePlus imp = IJ.openImage(image);
        PointRoi points = maxima(imp, wanted);
        System.err.printf(Locale.ROOT, "bench: %d Find Maxima points on %s (%d x %d)%n", points.size(), imp.getTitle(),
                imp.getWidth(), imp.getHeight());

        long t0 = System.nanoTime();
        SamSession session = SamRoi.session();
        session.ensureStarted();
        double start = seconds(t0);
        // Load the model (and build its ONNX graphs the first time) on a small image, outside the timings.
        t0 = System.nanoTime();
        ImagePlus small = IJ.openImage(IjTests.dev("dsb_fluo_d01.tif").toString());
        ImageOptions options = CommonOptions.read(MacroOptions.parse(""), SamRoi.settings()).imageOptions();
        SamRoi.prepare(ImagePlanes.current(small), options);
        double load = seconds(t0);

        imp.setRoi(points);
        MacroOptions batch = MacroOptions.parse("from=selection output=Overlay");
        t0 = System.nanoTime();
        BatchCommand.run(imp, batch, true);
        double cold = seconds(t0);
        int objects = overlaySize(imp);
        ImageInfo info = session.currentImage();

        imp.setOverlay(null);
        imp.setRoi(points);
        t0 = System.nanoTime();
        BatchCommand.run(imp, batch, true);
        double warm = seconds(t0);
        SamRoi.restart();

        System.out.println("| prompts | objects | tiles of the image | worker start | model load | cold batch | cold prompts/s "
                + "| warm batch | warm prompts/s |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| %d | %d | %d | %.1f s | %.1f s | %.1f s | %.1f | %.1f s | %.1f |%n", points.size(),
                objects, info == null ? -1 : info.tiles(), start, load, cold, points.size() / cold, warm,
                points.size() / warm);
        System.out.println();
        System.out.println("model " + options.model() + (options.checkpoint() == null ? "" : " (" + options.checkpoint()
                .getFileName() + ")") + "; chunks of " + BatchCommand.CHUNK + " prompts per worker call; "
                + Runtime.getRuntime().availableProcessors() + " CPUs; load average " + loadAverage());
        System.exit(0);
    }

    /** The strongest maxima (most prominent first) down to a prominence that gives at least wanted. */
    static PointRoi maxima(ImagePlus imp, int wanted) {
        MaximumFinder finder = new MaximumFinder();
        for (double prominence = 80; prominence >= 1; prominence /= 1.5) {
            Polygon p = finder.getMaxima(imp.getProcessor(), prominence, true);
            if (p.npoints >= wanted) {
                float[] x = new float[wanted], y = new float[wanted];
                for (int i = 0; i < wanted; i++) {
                    x[i] = p.xpoints[i];
                    y[i] = p.ypoints[i];
                }
                return new PointRoi(x, y, wanted);
            }
        }
        throw new IllegalStateException("fewer than " + wanted + " maxima in " + imp.getTitle());
    }

    static int overlaySize(ImagePlus imp) {
        Overlay o = imp.getOverlay();
        return o == null ? 0 : o.size();
    }

    static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static String loadAverage() {
        try {
            if (Files.isReadable(Paths.get("/proc/loadavg"))) {
                return new String(Files.readAllBytes(Paths.get("/proc/loadavg")), StandardCharsets.UTF_8).trim();
            }
            Process p = new ProcessBuilder("uptime").start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                return r.readLine();
            }
        } catch (Exception e) {
            return "unknown";
        }
    }
}
