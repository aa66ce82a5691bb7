package org.samroi.icy.bench;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import org.samroi.core.ImageOptions;
import org.samroi.core.ImagePixels;
import org.samroi.core.Prompt;
import org.samroi.core.SamSession;
import org.samroi.core.SegmentOptions;
import org.samroi.core.SegmentedObject;
import org.samroi.core.TestSupport;
import org.samroi.core.TinyTiff;
import org.samroi.core.env.PythonEnvironment;
import org.samroi.icy.IcyImages;
import org.samroi.icy.IcyObjects;
import org.samroi.icy.logic.ChannelChoice;
import org.samroi.icy.logic.ImageRequest;
import org.samroi.icy.logic.Plane;
import org.samroi.icy.logic.SegmentService;

import icy.image.IcyBufferedImage;
import icy.sequence.Sequence;

/**
 * Figures of the Icy adapter (scripts/bench-icy.sh), as a markdown table: a 4160 x 4176 mosaic
 * in several Icy data types and channel counts from the sequence to the worker (copy into shared
 * memory, interleaving planar channels, plus the worker's checksum), and the click-to-ROI latency
 * on a cached embedding. Uses the machine's Python (-Dsamroi.python) and the fixture checkpoint.
 */
public final class IcyBenchmark {

    private IcyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path shared = TestSupport.shared();
        Path checkpoint = shared.resolve("reference/efficient_sam_vitt_random.pt");
        TinyTiff mosaic = TinyTiff.read(shared.resolve("data/dev/mosaic_dsb_fluo_4160x4176.tif"));
        byte[] u8 = (byte[]) mosaic.pixels();
        int w = mosaic.width;
        int h = mosaic.height;
        List<String> rows = new ArrayList<>();
        rows.add("| what | Icy type | channels | median ms | MB/s |");
        rows.add("|---|---|---|---|---|");
        try (SamSession session = new SamSession(PythonEnvironment.existing(TestSupport.python()));
                SegmentService service = new SegmentService(session)) {
            session.ensureStarted();
            short[] u16 = new short[u8.length];
            float[] f32 = new float[u8.length];
            double[] f64 = new double[u8.length];
            for (int i = 0; i < u8.length; i++) {
                u16[i] = (short) ((u8[i] & 0xff) * 257);
                f32[i] = (u8[i] & 0xff) / 255f;
                f64[i] = f32[i];
            }
            Object[][] cases = { { "UBYTE", new Object[] { u8 } }, { "USHORT", new Object[] { u16 } },
                { "FLOAT", new Object[] { f32 } }, { "DOUBLE", new Object[] { f64 } }, { "UBYTE", new Object[] { u8, u8, u8 } },
                { "USHORT", new Object[] { u16, u16, u16 } } };
            for (Object[] c : cases) {
                Object[] planes = (Object[]) c[1];
                Sequence s = new Sequence("mosaic", new IcyBufferedImage(w, h, planes, false));
                ImagePixels image = IcyImages.plane(s, Plane.of(0, 0), ChannelChoice.auto());
                double[] ms = new double[3];
                for (int k = 0; k < ms.length; k++) {
                    long t0 = System.nanoTime();
                    session.checkTransfer(image);
                    ms[k] = (System.nanoTime() - t0) / 1e6;
                }
                double med = median(ms);
                rows.add(String.format(Locale.ROOT, "| sequence plane to worker (copy + checksum) | %s | %d | %.0f | %.0f |", c[0],
                        planes.length, med, image.byteCount() / 1e6 / (med / 1000)));
            }

            TinyTiff small = TinyTiff.read(shared.resolve("data/dev/dsb_fluo_d01.tif"));
            Sequence s = new Sequence("dsb", new IcyBufferedImage(small.width, small.height, small.pixels(), false));
            ImageOptions options = ImageOptions.defaults().withCheckpoint(checkpoint);
            ImageRequest request = IcyImages.request(s, Plane.of(0, 0), 0, ChannelChoice.auto(), options);
            long t0 = System.nanoTime();
            service.segment(request, Collections.singletonList(Prompt.point(150, 100)), SegmentOptions.defaults());
            double first = (System.nanoTime() - t0) / 1e6;
            rows.add(String.format(Locale.ROOT, "| first click on a 256 x 256 image (encode) | UBYTE | 1 | %.0f | |", first));
            double[] clicks = new double[7];
            double[] convert = new double[clicks.length];
            for (int k = 0; k < clicks.length; k++) {
                long c0 = System.nanoTime();
                List<SegmentedObject> objects = service.segment(request, Collections.singletonList(Prompt.point(60 + 10 * k, 200)),
                        SegmentOptions.defaults().withKeepHoles(false));
                long c1 = System.nanoTime();
                IcyObjects.toRoi(objects.get(0), "001-efficientsam-ti", Plane.of(0, 0), "efficientsam-ti");
                clicks[k] = (System.nanoTime() - c0) / 1e6;
                convert[k] = (System.nanoTime() - c1) / 1e6;
            }
            rows.add(String.format(Locale.ROOT, "| click to ROI, embedding cached (median of %d) | UBYTE | 1 | %.0f | |",
                    clicks.length, median(clicks)));
            rows.add(String.format(Locale.ROOT, "| of which outline to Icy ROI | | | %.2f | |", median(convert)));
        }
        for (String r : rows) System.out.println(r);
        System.out.println();
        System.out.println("machine load (1, 5, 15 min): " + load());
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static String load() {
        try {
            return new String(java.nio.file.Files.readAllBytes(Paths.get("/proc/loadavg"))).trim();
        } catch (Exception e) {
            return "unknown";
        }
    }
}
