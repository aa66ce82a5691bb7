package org.samroi.icy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.samroi.core.ImageOptions;
import org.samroi.core.ObjectNames;
import org.samroi.core.PromptCsv;
import org.samroi.core.SegmentOptions;
import org.samroi.core.TinyTiff;
import org.samroi.icy.logic.ChannelChoice;
import org.samroi.icy.logic.Plane;
import org.samroi.icy.logic.SamroiRuntime;
import org.samroi.icy.logic.SegmentService;

import icy.image.IcyBufferedImage;
import icy.roi.ROI2D;
import icy.sequence.Sequence;
import plugins.kernel.roi.roi2d.ROI2DPath;
import plugins.kernel.roi.roi2d.ROI2DPolygon;

/**
 * The Icy adapter against the real worker, real dev images and the random-weight fixture
 * checkpoint, through the Icy mirror's Sequence and ROI classes: every Icy data type, several
 * channels and planes must give ROIs that cover exactly the pixels the samroi command line (the
 * Python library) segments for the same prompts.
 */
@Timeout(900)
class IcyAdapterTest {

    private static SegmentService service;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isRegularFile(IcyFixtures.checkpoint()), "fixture checkpoint missing");
        assumeTrue(Files.isRegularFile(IcyFixtures.dev(IcyFixtures.GRAY)), "dev images missing");
        service = SamroiRuntime.get().service(); // the Python of -Dsamroi.python
    }

    /**
     * Each Icy type holds the 8-bit image (values up to 113) under an exact affine map that
     * reaches into the top half of the type's range (so a wrong sign or width changes the
     * values), normalised with the matching fixed range: the model then sees exactly the 8-bit
     * image with range 0..255, bit for bit, and must find exactly the library's objects for it.
     */
    @Test
    void everyIcyDataTypeGivesTheLibrarysObjects(@TempDir Path tmp) throws Exception {
        Path csv = IcyFixtures.csv(tmp, IcyFixtures.PROMPTS);
        Map<String, boolean[]> expected = IcyFixtures.library(IcyFixtures.GRAY, csv, tmp, "--normalize", "range:0,255",
                "--no-holes");
        assertEquals(4, expected.size(), "the library segments all four prompts");
        TinyTiff t = IcyFixtures.tiff(IcyFixtures.GRAY);
        byte[] x = (byte[]) t.pixels();
        int n = x.length;
        byte[] ubyte = new byte[n];
        byte[] sbyte = new byte[n];
        short[] ushort = new short[n];
        short[] sshort = new short[n];
        int[] uint = new int[n];
        int[] sint = new int[n];
        long[] ulong = new long[n];
        long[] slong = new long[n];
        float[] fl = new float[n];
        double[] db = new double[n];
        for (int i = 0; i < n; i++) {
            int v = x[i] & 0xff;
            ubyte[i] = (byte) (2 * v);
            sbyte[i] = (byte) (2 * v - 128);
            ushort[i] = (short) (v << 9);
            sshort[i] = (short) ((v << 9) - 32768);
            uint[i] = v << 25;
            sint[i] = (v << 25) ^ 0x80000000; // v * 2^25 - 2^31
            ulong[i] = (long) v << 57;
            slong[i] = ((long) v << 57) + Long.MIN_VALUE;
            fl[i] = v / 256f - 0.25f;
            db[i] = v * 1000.0 - 5000.5;
        }
        // The maps must reach the sign bit of the Java array for the test to mean anything.
        assertTrue(min(ubyte) < 0 && min(ushort) < 0 && min(uint) < 0 && min(ulong) < 0, "unsigned values above the signed range");
        assertTrue(min(sbyte) < 0 && max(sbyte) > 0 && min(sshort) < 0 && max(sshort) > 0 && min(sint) < 0 && max(sint) > 0
                && min(slong) < 0 && max(slong) > 0, "signed values on both sides of 0");
        Object[][] variants = {
            { "UBYTE", ubyte, false, "range:0,510" },
            { "BYTE", sbyte, true, "range:-128,382" },
            { "USHORT", ushort, false, "range:0,130560" },
            { "SHORT", sshort, true, "range:-32768,97792" },
            { "UINT", uint, false, "range:0,8556380160" },
            { "INT", sint, true, "range:-2147483648,6408896512" },
            { "ULONG", ulong, false, "range:0,36749372959343247360" },
            { "LONG", slong, true, "range:-9223372036854775808,27526000922488471552" },
            { "FLOAT", fl, true, "range:-0.25,0.74609375" },
            { "DOUBLE", db, true, "range:-5000.5,249999.5" },
        };
        List<String> report = new ArrayList<>();
        for (Object[] v : variants) {
            Sequence s = new Sequence("dsb " + v[0], new IcyBufferedImage(t.width, t.height, v[1], (Boolean) v[2]));
            assertEquals(v[0], s.getDataType_().name());
            Map<String, ROI2D> rois = segment(s, csv, ChannelChoice.auto(), (String) v[3], false);
            assertSameObjects(expected, rois, t.width, t.height, v[0].toString());
            for (ROI2D roi : rois.values()) assertInstanceOf(ROI2DPolygon.class, roi, "holes filled: one polygon per object");
            report.add(v[0] + " ok");
        }
        System.out.println("IcyAdapterTest data types: " + report);
    }

    /** Icy's RGB image is three channels: all of them, one as gray, two as red and green. */
    @Test
    void multichannelSequencesGiveTheLibrarysObjects(@TempDir Path tmp) throws Exception {
        Path csv = IcyFixtures.csv(tmp, IcyFixtures.PROMPTS);
        Sequence s = IcyFixtures.rgb(IcyFixtures.RGB);
        assertEquals(3, s.getSizeC());
        assertEquals(320, s.getWidth());
        String[][] cases = { { "auto" }, { "1", "--channel", "1" }, { "2,0", "--rgb", "2,0" } };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(Arrays.asList(c).subList(1, c.length));
            args.add("--no-holes");
            Map<String, boolean[]> expected = IcyFixtures.library(IcyFixtures.RGB, csv, tmp, args.toArray(new String[0]));
            Map<String, ROI2D> rois = segment(s, csv, ChannelChoice.parse(c[0]), "percentile", false);
            assertSameObjects(expected, rois, s.getWidth(), s.getHeight(), "channels " + c[0]);
        }
    }

    /** Kept holes and every part: the outline is a path ROI and still covers exactly the library's pixels. */
    @Test
    void holesAndPartsBecomePathRoisWithTheSamePixels(@TempDir Path tmp) throws Exception {
        Path csv = IcyFixtures.csv(tmp, IcyFixtures.PROMPTS);
        // range:0,255 as for the 8-bit image above: the worker has its embedding already.
        Map<String, boolean[]> expected = IcyFixtures.library(IcyFixtures.GRAY, csv, tmp, "--normalize", "range:0,255",
                "--all-components");
        Sequence s = IcyFixtures.gray(IcyFixtures.GRAY);
        Map<String, ROI2D> rois = new LinkedHashMap<>();
        List<SequenceSegmenter.Result> results = new SequenceSegmenter(service).segment(s, prompts(s, csv), ChannelChoice.auto(),
                options("range:0,255"), SegmentOptions.defaults().withAllComponents(true));
        for (SequenceSegmenter.Result r : results) {
            rois.put(ObjectNames.name(r.number, IcyFixtures.MODEL), IcyObjects.toRoi(r.object,
                    ObjectNames.name(r.number, IcyFixtures.MODEL), r.prompt.plane(), IcyFixtures.MODEL));
        }
        assertTrue(rois.values().stream().anyMatch(r -> r instanceof ROI2DPath), "the random blobs have holes and parts");
        assertSameObjects(expected, rois, s.getWidth(), s.getHeight(), "holes kept");
    }

    /** Prompts on several planes of a stack: each is segmented on its own plane and its ROI is put there. */
    @Test
    void promptsOnAStackUseTheirPlanes(@TempDir Path tmp) throws Exception {
        TinyTiff t = IcyFixtures.tiff(IcyFixtures.GRAY);
        byte[] image = (byte[]) t.pixels();
        byte[] flipped = new byte[image.length];
        for (int i = 0; i < image.length; i++) flipped[i] = image[image.length - 1 - i];
        Sequence s = new Sequence("stack");
        for (int tt = 0; tt < 2; tt++) {
            for (int z = 0; z < 3; z++) {
                byte[] plane = z == 2 && tt == 1 ? image : flipped;
                s.setImage(tt, z, new IcyBufferedImage(t.width, t.height, plane, false));
            }
        }
        assertEquals(3, s.getSizeZ());
        assertEquals(2, s.getSizeT());
        List<String> lines = new ArrayList<>(Arrays.asList("prompt,x,y,label,x0,y0,x1,y1,z,t"));
        List<String> plain = new ArrayList<>(Arrays.asList("prompt,x,y,label,x0,y0,x1,y1"));
        for (String p : IcyFixtures.PROMPTS.subList(1, 5)) {
            lines.add(p + ",3,2"); // 1-based: slice 2, frame 1 (0-based)
            plain.add(p);
        }
        lines.add("e,20,20,1,,,,,1,1");
        Path csv = IcyFixtures.csv(tmp, plain);
        Map<String, boolean[]> expected = IcyFixtures.library(IcyFixtures.GRAY, csv, tmp, "--normalize", "range:0,255", "--no-holes");
        Path stackCsv = IcyFixtures.csv(tmp, lines);
        List<PlanePrompt> prompts = prompts(s, stackCsv);
        assertEquals(Plane.of(2, 1), prompts.get(0).plane());
        assertEquals(Plane.of(0, 0), prompts.get(4).plane());
        List<SequenceSegmenter.Result> results = new SequenceSegmenter(service).segment(s, prompts, ChannelChoice.auto(),
                options("range:0,255"), SegmentOptions.defaults().withKeepHoles(false));
        Map<String, ROI2D> onImage = new LinkedHashMap<>();
        for (SequenceSegmenter.Result r : results) {
            String name = ObjectNames.name(r.number, IcyFixtures.MODEL);
            ROI2D roi = IcyObjects.toRoi(r.object, name, r.prompt.plane(), IcyFixtures.MODEL);
            assertEquals(r.prompt.plane().z(), roi.getZ(), name);
            assertEquals(r.prompt.plane().t(), roi.getT(), name);
            if (r.number <= 4) onImage.put(name, roi);
        }
        assertEquals(5, results.size());
        assertEquals(0, results.get(4).prompt.plane().z(), "the last prompt is on the first plane");
        assertSameObjects(expected, onImage, t.width, t.height, "plane z=2, t=1");
    }

    private static long min(Object array) {
        long m = Long.MAX_VALUE;
        for (int i = 0; i < java.lang.reflect.Array.getLength(array); i++) m = Math.min(m, ((Number) java.lang.reflect.Array.get(array, i)).longValue());
        return m;
    }

    private static long max(Object array) {
        long m = Long.MIN_VALUE;
        for (int i = 0; i < java.lang.reflect.Array.getLength(array); i++) m = Math.max(m, ((Number) java.lang.reflect.Array.get(array, i)).longValue());
        return m;
    }

    private static Map<String, ROI2D> segment(Sequence s, Path csv, ChannelChoice channels, String normalize,
            boolean keepHoles) throws Exception {
        List<SequenceSegmenter.Result> results = new SequenceSegmenter(service).segment(s, prompts(s, csv), channels,
                options(normalize), SegmentOptions.defaults().withKeepHoles(keepHoles));
        Map<String, ROI2D> rois = new LinkedHashMap<>();
        for (SequenceSegmenter.Result r : results) {
            String name = ObjectNames.name(r.number, IcyFixtures.MODEL);
            ROI2D roi = IcyObjects.toRoi(r.object, name, r.prompt.plane(), IcyFixtures.MODEL);
            assertEquals(name, roi.getName());
            assertEquals(0, roi.getZ());
            assertEquals(0, roi.getT());
            assertEquals(IcyFixtures.MODEL, roi.getProperty("model"));
            rois.put(name, roi);
        }
        return rois;
    }

    private static List<PlanePrompt> prompts(Sequence s, Path csv) throws Exception {
        return IcyPrompts.fromCsv(PromptCsv.read(csv), s, Plane.of(0, 0));
    }

    private static ImageOptions options(String normalize) {
        return ImageOptions.defaults().withModel(IcyFixtures.MODEL).withCheckpoint(IcyFixtures.checkpoint())
                .withNormalize(normalize);
    }

    static void assertSameObjects(Map<String, boolean[]> expected, Map<String, ROI2D> rois, int w, int h, String what) {
        assertEquals(expected.keySet(), rois.keySet(), what + ": the same objects, named alike");
        for (Map.Entry<String, boolean[]> e : expected.entrySet()) {
            boolean[] got = IcyFixtures.mask(rois.get(e.getKey()), w, h);
            assertTrue(IcyFixtures.count(got) > 0, what + " " + e.getKey() + " is empty");
            assertEquals(0, IcyFixtures.differing(e.getValue(), got),
                    what + " " + e.getKey() + ": pixels differing from the library's object");
        }
    }
}
