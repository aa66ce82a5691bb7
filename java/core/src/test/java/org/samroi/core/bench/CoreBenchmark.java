package org.samroi.core.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.samroi.core.ImageInfo;
import org.samroi.core.ImageOptions;
import org.samroi.core.ImagePixels;
import org.samroi.core.Prompt;
import org.samroi.core.SamSession;
import org.samroi.core.SegmentationScenario;
import org.samroi.core.SegmentedObject;
import org.samroi.core.env.EnvironmentInstaller;
import org.samroi.core.env.InstallMethod;
import org.samroi.core.env.PythonEnvironment;

/**
 * Figures of the Java core, printed as a markdown table (a main class, not a timed test):
 *
 * <ul>
 * <li>managed-environment install with uv into a temp folder: cold (new uv cache and tools
 * folder: everything downloaded) and warm (same cache), time and size;</li>
 * <li>worker start to ready (process start, imports, hello);</li>
 * <li>setImage of a 1024 x 1024 and an 8192 x 8192 16-bit image (Java copy into shared memory,
 * worker accepts it in place, normalisation fit), median of several;</li>
 * <li>prompt-to-polygon latency measured in Java with a cached embedding: 100 clicks at
 * different positions on real dev images, median and p95.</li>
 * </ul>
 *
 * Run with scripts/bench-java.sh. Uses the random-weight fixture checkpoint (real weights
 * cannot be downloaded here); decoder cost does not depend on the weights' values, but what
 * follows it does: the random weights draw noise masks over much of the image. With the
 * environment variable {@code SAMROI_BENCHMARK_LABELS} set to the label images of the click
 * images (scripts/bench-java.sh --objects), the worker swaps each click's decoder output for
 * the mask of the labelled object under it (samroi.bench_engine.ObjectShapedSession), and only
 * the click rows are measured, with clicks on the labelled objects: what a click costs when
 * the model finds the object, as trained weights do.
 * Arguments: {@code --no-install} uses the machine's python3 instead of installing with uv.
 */
public final class CoreBenchmark {

    private static final List<String[]> rows = new ArrayList<>();

    private CoreBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        boolean objects = System.getenv("SAMROI_BENCHMARK_LABELS") != null;
        boolean install = !objects && !(args.length > 0 && args[0].equals("--no-install"));
        String loadBefore = uptime();
        Path base = Files.createTempDirectory("samroi bench ü ");
        try {
            PythonEnvironment env;
            if (objects) {
                try (SamSession session = new SamSession(PythonEnvironment.existing(java.nio.file.Paths.get("python3")))) {
                    ImageOptions options = SegmentationScenario.options();
                    clicks(session, options, "usiigaci_phase_d01.tif", "1022 x 1024 uint16 phase contrast", true);
                    clicks(session, options, "dsb_fluo_d01.tif", "256 x 256 uint8 fluorescence", true);
                }
                printTable(loadBefore);
                return;
            }
            if (install) {
                Path tools = base.resolve("tools");
                Path cache = base.resolve("uv cache");
                long t0 = System.nanoTime();
                new EnvironmentInstaller().location(base.resolve("env cold")).method(InstallMethod.UV).toolsDirectory(tools)
                        .uvCacheDirectory(cache).install();
                long cold = ms(t0);
                row("uv install, cold (new uv cache: all downloaded)", secs(cold),
                        "env " + mb(size(base.resolve("env cold"))) + ", uv cache " + mb(size(cache)) + ", uv binary "
                                + mb(size(tools)));
                t0 = System.nanoTime();
                env = new EnvironmentInstaller().location(base.resolve("env warm")).method(InstallMethod.UV)
                        .toolsDirectory(tools).uvCacheDirectory(cache).install();
                long warm = ms(t0);
                row("uv install, warm (same uv cache)", secs(warm), "env " + mb(size(base.resolve("env warm"))));
            } else {
                env = PythonEnvironment.existing(java.nio.file.Paths.get("python3"));
            }

            List<Double> starts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                try (SamSession s = new SamSession(env)) {
                    long t0 = System.nanoTime();
                    s.ensureStarted();
                    starts.add((double) ms(t0));
                }
            }
            row("worker start to ready", fmt(median(starts)) + " ms", "median of 3 (" + starts + " ms)");

            try (SamSession session = new SamSession(env)) {
                session.ensureStarted();
                List<Double> trips = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    long t0 = System.nanoTime();
                    session.hello();
                    trips.add((System.nanoTime() - t0) / 1e6);
                }
                Collections.sort(trips);
                row("call round trip Java -> worker -> Java (hello)", fmt(median(trips)) + " ms median, "
                        + fmt(trips.get(189)) + " ms p95", "200 calls: the transport's share of every call");
                ImageOptions options = SegmentationScenario.options();
                long t0 = System.nanoTime();
                session.setImage(SegmentationScenario.image(), options);
                row("first setImage (loads EfficientSAM-Ti, fixture weights)", ms(t0) + " ms", "256 x 256 uint8");

                for (int side : new int[] { 1024, 8192 }) {
                    ImagePixels image = synthetic16(side);
                    int n = side == 1024 ? 9 : 5;
                    List<Double> all = new ArrayList<>();
                    List<Double> worker = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        long s0 = System.nanoTime();
                        ImageInfo info = session.setImage(image, options);
                        all.add(ms(s0) * 1.0);
                        worker.add(info.workerSeconds() * 1000);
                    }
                    row("setImage " + side + " x " + side + " uint16 (" + mb(image.byteCount()) + ")",
                            fmt(median(all)) + " ms", "median of " + n + "; worker part (percentile fit) "
                                    + fmt(median(worker)) + " ms");
                }

                clicks(session, options, "usiigaci_phase_d01.tif", "1022 x 1024 uint16 phase contrast", false);
                clicks(session, options, "dsb_fluo_d01.tif", "256 x 256 uint8 fluorescence", false);
            }
        } finally {
            deleteTree(base);
        }
        printTable(loadBefore);
    }

    private static void printTable(String loadBefore) {
        String loadAfter = uptime();
        System.out.println();
        System.out.println("| measurement | figure | notes |");
        System.out.println("|---|---:|---|");
        for (String[] r : rows) System.out.println("| " + r[0] + " | " + r[1] + " | " + r[2] + " |");
        System.out.println();
        System.out.println("Machine load (uptime) before: " + loadBefore);
        System.out.println("Machine load (uptime) after:  " + loadAfter);
        System.out.println("CPUs: " + Runtime.getRuntime().availableProcessors() + ", Java " + System.getProperty("java.version"));
    }

    /**
     * 100 clicks with a cached embedding: at random positions, or (objects) on the labelled
     * objects of the image's label image in turn, each at its pixel nearest the centre of mass.
     */
    private static void clicks(SamSession session, ImageOptions options, String file, String what, boolean objects)
            throws Exception {
        ImagePixels image = SegmentationScenario.devImage(file);
        session.setImage(image, options);
        long t0 = System.nanoTime();
        session.segment(Prompt.point(image.width() / 2.0, image.height() / 2.0));
        long encode = ms(t0);
        Random random = new Random(42);
        List<int[]> centres = objects ? objectPoints(SegmentationScenario.devImage(file.replace(".tif", "_labels.tif")))
                : null;
        List<Double> times = new ArrayList<>();
        long vertices = 0;
        for (int i = 0; i < 100; i++) {
            Prompt p = objects ? Prompt.point(centres.get(i % centres.size())[0], centres.get(i % centres.size())[1])
                    : Prompt.point(random.nextInt(image.width()), random.nextInt(image.height()));
            long c0 = System.nanoTime();
            SegmentedObject o = session.segment(p);
            times.add((System.nanoTime() - c0) / 1e6);
            if (!o.shapes().isEmpty()) vertices += o.shapes().get(0).vertexCount();
        }
        Collections.sort(times);
        String where = objects ? "100 clicks on its " + centres.size() + " labelled objects in turn, object-shaped masks"
                : "100 clicks at random positions";
        row("click -> polygon, cached embedding, " + what + (objects ? ", object-shaped masks" : ""),
                fmt(median(times)) + " ms median, " + fmt(times.get(94)) + " ms p95",
                where + "; first click (encode) " + encode + " ms; mean outline " + vertices / 100 + " vertices");
    }

    /** For each label of a label image, in label order, its pixel nearest its centre of mass. */
    private static List<int[]> objectPoints(ImagePixels labels) {
        int w = labels.width(), h = labels.height();
        int[] label = new int[w * h];
        Object px = labels.pixels();
        int max = 0;
        for (int i = 0; i < label.length; i++) {
            label[i] = px instanceof short[] ? ((short[]) px)[i] & 0xffff : ((byte[]) px)[i] & 0xff;
            max = Math.max(max, label[i]);
        }
        double[] sx = new double[max + 1], sy = new double[max + 1], best = new double[max + 1];
        int[] count = new int[max + 1], at = new int[max + 1];
        for (int i = 0; i < label.length; i++) {
            sx[label[i]] += i % w;
            sy[label[i]] += i / w;
            count[label[i]]++;
        }
        java.util.Arrays.fill(best, Double.MAX_VALUE);
        for (int i = 0; i < label.length; i++) {
            int k = label[i];
            double dx = i % w - sx[k] / count[k], dy = i / w - sy[k] / count[k];
            if (k > 0 && dx * dx + dy * dy < best[k]) {
                best[k] = dx * dx + dy * dy;
                at[k] = i;
            }
        }
        List<int[]> points = new ArrayList<>();
        for (int k = 1; k <= max; k++) {
            if (count[k] > 0) points.add(new int[] {at[k] % w, at[k] / w});
        }
        return points;
    }

    /** A 16-bit test image: gradients plus noise (content matters only for the percentile fit). */
    private static ImagePixels synthetic16(int side) throws Exception {
        short[] px = new short[side * side];
        Random r = new Random(side);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) px[y * side + x] = (short) ((x * 37 + y * 11 + r.nextInt(512)) & 0xffff);
        }
        return ImagePixels.gray16(px, side, side);
    }

    private static void row(String a, String b, String c) {
        rows.add(new String[] { a, b, c });
        System.out.println(a + ": " + b + " (" + c + ")");
    }

    private static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    private static long ms(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    private static String secs(long ms) {
        return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
    }

    private static long size(Path root) throws IOException {
        if (!Files.exists(root)) return 0;
        final long[] total = { 0 };
        Files.walkFileTree(root, new SimpleFileVisitor<Path>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) total[0] += attrs.size();
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                return FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        Files.walkFileTree(root, new SimpleFileVisitor<Path>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                file.toFile().setWritable(true);
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static String uptime() {
        try {
            Process p = new ProcessBuilder("uptime").redirectErrorStream(true).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line = r.readLine();
                p.waitFor();
                return line == null ? "?" : line.trim();
            }
        } catch (IOException | InterruptedException e) {
            return "? (" + e + ")";
        }
    }
}
