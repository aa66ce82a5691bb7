package org.samroi.icy.logic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.prefs.Preferences;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samroi.core.ImageOptions;
import org.samroi.core.PolygonShape;
import org.samroi.core.SamException;
import org.samroi.core.SegmentationScenario;
import org.samroi.core.SegmentedObject;
import org.samroi.core.TestSupport;
import org.samroi.core.TinyTiff;

/** Label images, outlines, the batch command line, settings and the start-up check. */
class OutputsAndOptionsTest {

    /** A ring with a hole and a second part: the even-odd fill of the path and the label plane agree. */
    private static final PolygonShape FRAME = new PolygonShape(new int[] { 1, 7, 7, 1 }, new int[] { 1, 1, 6, 6 },
            Collections.singletonList(new int[] { 3, 5, 5, 3 }), Collections.singletonList(new int[] { 2, 2, 4, 4 }), 26);
    private static final PolygonShape DOT = new PolygonShape(new int[] { 8, 9, 9, 8 }, new int[] { 0, 0, 1, 1 },
            Collections.<int[]>emptyList(), Collections.<int[]>emptyList(), 1);

    @Test
    void labelPlanesHoldExactlyThePixelsOfTheShapes() {
        LabelImage l = new LabelImage(10, 8);
        l.paint(Arrays.asList(FRAME, DOT), 7);
        boolean[] expected = SegmentationScenario.fill(Arrays.asList(FRAME, DOT), 10, 8);
        int count = 0;
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 10; x++) {
                assertEquals(expected[y * 10 + x] ? 7 : 0, l.label(x, y), "pixel " + x + "," + y);
                count += l.label(x, y) == 7 ? 1 : 0;
            }
        }
        assertEquals(27, count, "30 pixels of the frame minus 4 of the hole, plus the dot");
        l.paint(Collections.singletonList(DOT), 65535);
        assertEquals(65535, l.label(8, 0), "later objects over earlier ones; labels are unsigned 16-bit");
        assertThrows(IllegalArgumentException.class, () -> l.paint(Collections.singletonList(DOT), 65536));

        java.awt.geom.Path2D path = ObjectOutline.path(Arrays.asList(FRAME, DOT));
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 10; x++) {
                assertEquals(expected[y * 10 + x], path.contains(x + 0.5, y + 0.5), "path at " + x + "," + y);
            }
        }
        SegmentedObject framed = new SegmentedObject(0, 0.9, 26, false, Collections.singletonList(FRAME), Collections.<SegmentedObject>emptyList());
        assertFalse(ObjectOutline.isSinglePolygon(framed), "a hole needs a path");
        SegmentedObject dot = new SegmentedObject(0, 0.9, 1, false, Collections.singletonList(DOT), Collections.<SegmentedObject>emptyList());
        assertTrue(ObjectOutline.isSinglePolygon(dot));
        assertArrayEquals(new double[] { 8, 9, 9, 8 }, ObjectOutline.outer(DOT)[0]);
    }

    /** The label TIFF reads back in Java and, as a hyperstack, in tifffile (the command line's reader). */
    @Test
    void labelTiffsReadBackAsWritten(@TempDir Path tmp) throws Exception {
        LabelImage a = new LabelImage(10, 8);
        a.paint(Arrays.asList(FRAME, DOT), 3);
        Path single = tmp.resolve("labels.tif");
        LabelTiff.write(single, Collections.singletonList(a), 1, 1);
        TinyTiff t = TinyTiff.read(single);
        assertEquals(16, t.bits);
        assertArrayEquals(a.labels(), (short[]) t.pixels());

        LabelImage empty = new LabelImage(10, 8);
        LabelImage b = new LabelImage(10, 8);
        b.paint(Collections.singletonList(DOT), 40000);
        Path stack = tmp.resolve("stack.tif");
        LabelTiff.write(stack, Arrays.asList(empty, a, b, empty, empty, empty), 3, 2);
        Files.write(stack, Files.readAllBytes(stack)); // still a regular, complete file
        String out = python(tmp, "import tifffile, sys\n"
                + "with tifffile.TiffFile(sys.argv[1]) as f:\n"
                + "    a = f.asarray()\n"
                + "    print(f.series[0].axes, a.shape, a.dtype, int(a[0, 1].sum()), int(a[0, 2, 0, 8]), int(a.sum()))\n",
                stack.toString());
        assertEquals("TZYX (2, 3, 8, 10) uint16 81 40000 40081", out.trim());
        try (java.util.stream.Stream<Path> s = Files.list(tmp)) {
            assertEquals(0, s.filter(p -> p.getFileName().toString().endsWith(".tmp")).count(), "no temporary file left");
        }
    }

    @Test
    void batchOptionsCheckEverythingAndNameTheOutputs(@TempDir Path tmp) throws Exception {
        Path image = Files.createFile(tmp.resolve("cells.ome.tif"));
        Path csv = Files.createFile(tmp.resolve("p.csv"));
        BatchOptions o = BatchOptions.parse("image=" + image, "prompts=\"" + csv + "\"", "model=mobilesam", "channel=2,1",
                "z=3", "holes=keep");
        assertEquals(image, o.image());
        assertEquals(csv, o.prompts());
        assertEquals(SamModel.MOBILESAM, o.model());
        assertEquals(Plane.of(3, 0), o.plane());
        assertEquals("2,1", o.channel().text());
        assertTrue(o.keepHoles());
        assertTrue(o.segmentOptions().keepHoles());
        assertEquals(tmp.resolve("cells_samroi_rois.xml"), o.rois(image));
        assertEquals(tmp.resolve("cells_samroi_labels.tif"), o.labels(image));
        assertEquals("mobilesam", o.imageOptions().model());
        assertEquals("percentile", o.imageOptions().normalize());
        assertNull(o.python());

        BatchOptions d = BatchOptions.parse("labels=none", "rois=" + tmp.resolve("r.xml"), "normalize=range:0,255");
        assertNull(d.image());
        assertNull(d.labels(null));
        assertEquals(tmp.resolve("r.xml"), d.rois(null));
        assertEquals("range:0,255", d.imageOptions().normalize());
        assertEquals(ImageOptions.DEFAULT_MODEL, d.model().id());
        assertFalse(d.keepHoles());

        assertProblem("samroi batch: unknown key 'img'; the keys are: image, prompts, points, background, rectangle, rois, "
                + "labels, model, checkpoint, normalize, channel, z, t, holes, python.", "img=a.tif");
        BatchOptions c = BatchOptions.parse("points=10,20; 30.5,40", "background=5,5", "rectangle=1,2,10,20");
        assertEquals(2, c.commandLinePrompts().size(), "the points are one object, the rectangle another");
        assertEquals(3, c.commandLinePrompts().get(0).points().size());
        assertFalse(c.commandLinePrompts().get(0).points().get(2).positive());
        assertEquals(10.0, c.commandLinePrompts().get(1).box().x1(), "ImageJ-style: pixels 1..10");
        assertEquals(0, BatchOptions.parse().commandLinePrompts().size());
        SamException syntax = assertThrows(SamException.class, () -> BatchOptions.parse("points=10;20"));
        assertTrue(syntax.problem().startsWith("points '10;20'"), syntax.problem());
        assertProblem("samroi batch: background= needs points= (background points refine an object).", "background=5,5");
        assertProblem("samroi batch: 'cells.tif' is not key=value.", "cells.tif");
        assertProblem("samroi batch: image=" + tmp.resolve("none.tif") + ": no such file.", "image=" + tmp.resolve("none.tif"));
        assertProblem("samroi batch: prompts=" + image + ": expected a .csv file.", "prompts=" + image);
        assertProblem("samroi batch: z=-1: slices and frames count from 0.", "z=-1");
        assertProblem("samroi batch: holes must be 'fill' or 'keep', got 'no'.", "holes=no");
        assertProblem("samroi batch: labels=l.png: the file name must end with .tif or .tiff.", "labels=l.png");
        assertProblem("samroi batch: model= is given twice.", "model=mobilesam", "model=mobilesam");
        assertProblem("samroi batch: samroi has no model called 'sam'; choose one of: efficientsam-ti, efficientsam-s, mobilesam.",
                "model=sam");
        SamException noFile = assertThrows(SamException.class, () -> BatchOptions.parse().rois(null));
        assertEquals("samroi batch: the image has no file to name the outputs after; give rois=FILE.", noFile.problem());
        SamException help = assertThrows(BatchOptions.HelpRequested.class, () -> BatchOptions.parse("z=1", "help"));
        assertTrue(help.problem().contains("icy -hl -x plugins.samroi.SamroiBatch image=IMAGE"), help.problem());
        for (String key : BatchOptions.KEYS) assertTrue(BatchOptions.usage().contains("  " + key + "="), key + " documented");
    }

    private static void assertProblem(String problem, String... args) {
        SamException e = assertThrows(SamException.class, () -> BatchOptions.parse(args));
        assertEquals(problem, e.problem());
        assertEquals("Run with help to see the keys and their values.", e.nextStep());
    }

    @Test
    void settingsPersistAndFallBackToDefaults() throws Exception {
        Preferences node = Preferences.userRoot().node("org/samroi/icy-test-" + System.nanoTime());
        try {
            Settings s = new Settings(node);
            assertEquals(SamModel.EFFICIENTSAM_TI, s.model());
            assertTrue(s.clickToSegment());
            assertFalse(s.keepPrompts());
            assertNull(s.python());
            assertEquals(ChannelChoice.auto(), s.channel());
            s.setModel(SamModel.MOBILESAM);
            s.setChannel(ChannelChoice.rgb(2, 1));
            s.setCheckpoint(Paths.get("/data/ck.pt"));
            s.setKeepPrompts(true);
            Settings again = new Settings(node);
            assertEquals(SamModel.MOBILESAM, again.model());
            assertEquals("2,1", again.channel().text());
            assertEquals("mobilesam", again.imageOptions().model());
            assertEquals(Paths.get("/data/ck.pt"), again.imageOptions().checkpoint());
            assertTrue(again.keepPrompts());
            node.put("model", "gone");
            node.put("channel", "x");
            assertEquals(SamModel.EFFICIENTSAM_TI, again.model(), "an unknown stored value falls back to the default");
            assertEquals(ChannelChoice.auto(), again.channel());
        } finally {
            node.removeNode();
        }
    }

    @Test
    void theStartUpCheckPassesHereAndExplainsAnOldJna() throws Exception {
        java.util.Set<String> before = TestSupport.shmSegments();
        assertNull(RuntimeCheck.problems());
        assertEquals(before, TestSupport.shmSegments(), "the shared-memory test leaves nothing behind");
        assertTrue(RuntimeCheck.jnaVersion().startsWith("5."), RuntimeCheck.jnaVersion());
        assertTrue(RuntimeCheck.where("com.sun.jna.Native").contains("jna-5"), RuntimeCheck.where("com.sun.jna.Native"));
        String old = RuntimeCheck.describeJna("4.5.2", "file:/opt/icy/plugins/other/jna.jar");
        assertTrue(old.startsWith("JNA 4.5.2 is loaded from file:/opt/icy/plugins/other/jna.jar. samroi needs JNA 5"), old);
        assertTrue(old.contains("restart Icy"), old);
        assertTrue(RuntimeCheck.where("no.such.Library").startsWith("nowhere"));
    }

    /** The logic package must not touch Icy: it is what the tests run without an Icy. */
    @Test
    void theLogicPackageImportsNoIcyType() throws Exception {
        Path dir = TestSupport.repo().resolve("java/icy/src/main/java/org/samroi/icy/logic");
        List<String> offenders = new ArrayList<>();
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    if (line.matches("import (static )?(icy|plugins)\\..*")) offenders.add(f.getFileName() + ": " + line);
                }
            }
        }
        assertEquals(Collections.emptyList(), offenders);
        assertInstanceOf(Class.class, Class.forName("org.samroi.icy.logic.SamroiRuntime"), "loads without Icy classes");
    }

    private static String python(Path tmp, String script, String... args) throws Exception {
        Path file = tmp.resolve("check.py");
        Files.write(file, script.getBytes(StandardCharsets.UTF_8));
        List<String> cmd = new ArrayList<>(Arrays.asList(TestSupport.python().toString(), file.toString()));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = read(p.getInputStream());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static String read(InputStream in) throws java.io.IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) b.write(buf, 0, n);
        return new String(b.toByteArray(), StandardCharsets.UTF_8);
    }
}
