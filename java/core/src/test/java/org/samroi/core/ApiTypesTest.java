package org.samroi.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The value types of the public API and the mapping of worker errors, without a worker. */
class ApiTypesTest {

    @Test
    void rectangleBecomesAnInclusiveBox() throws Exception {
        Prompt p = Prompt.fromRectangle(10, 20, 5, 3);
        assertEquals(10, p.box().x0());
        assertEquals(20, p.box().y0());
        assertEquals(14, p.box().x1());
        assertEquals(22, p.box().y1());
        assertTrue(p.points().isEmpty());
        assertEquals("box (10, 20, 14, 22)", p.toString());
        Prompt q = Prompt.point(1.5, 2).withPoint(3, 4, false).withBox(0, 0, 9, 9);
        assertEquals("point (1.5, 2), background point (3, 4), box (0, 0, 9, 9)", q.toString());
        q.checkInside(0, 10, 10);
        assertThrows(IllegalArgumentException.class, () -> Prompt.of(Collections.<Prompt.Point>emptyList(), null));
    }

    @Test
    void promptsOutsideTheImageNameThePromptAndTheRange() {
        PromptException e = assertThrows(PromptException.class, () -> Prompt.point(-0.5, 3).checkInside(4, 100, 50));
        assertEquals(4, e.promptIndex());
        assertEquals("The point (-0.5, 3) of prompt 5 is outside the image: points need x in 0..99 and y in 0..49 "
                + "(the image is 100 x 50 pixels).", e.problem());
        assertThrows(PromptException.class, () -> Prompt.point(Double.NaN, 3).checkInside(0, 100, 50));
        assertThrows(PromptException.class, () -> Prompt.fromRectangle(0, 0, 101, 10).checkInside(0, 100, 50));
        assertThrows(PromptException.class, () -> Prompt.fromRectangle(5, 5, 1, 10).checkInside(0, 100, 50));
    }

    @Test
    void polygonShapesComeFromFlatIntListsAndFillAtPixelCentres() {
        // A 4 x 4 square at (1, 1) with a 2 x 1 hole at (2, 2): 16 - 2 = 14 pixels.
        Map<String, Object> m = new HashMap<>();
        m.put("outer", Arrays.<Number>asList(1, 1, 5, 1, 5, 5, 1, 5));
        m.put("holes", Collections.singletonList(Arrays.<Number>asList(2, 2, 2, 3, 4, 3, 4, 2)));
        m.put("area", 14);
        PolygonShape s = PolygonShape.fromOutputs(m);
        assertArrayEquals(new int[] { 1, 5, 5, 1 }, s.outerX());
        assertArrayEquals(new int[] { 1, 1, 5, 5 }, s.outerY());
        assertEquals(1, s.holeCount());
        assertEquals(8, s.vertexCount());
        boolean[] fill = SegmentationScenario.fill(Collections.singletonList(s), 8, 8);
        int n = 0;
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                assertEquals(fill[y * 8 + x], s.containsPixel(x, y), x + "," + y);
                n += fill[y * 8 + x] ? 1 : 0;
            }
        }
        assertEquals(14, n);
        assertTrue(s.containsPixel(1, 1) && !s.containsPixel(2, 2) && !s.containsPixel(5, 5));
        SegmentationScenario.assertClosed(s);
    }

    @Test
    void segmentedObjectsKeepTheBestMaskFirst() {
        Map<String, Object> shape = new HashMap<>();
        shape.put("outer", Arrays.<Number>asList(0, 0, 1, 0, 1, 1, 0, 1));
        shape.put("holes", Collections.emptyList());
        shape.put("area", 1);
        Map<String, Object> best = new HashMap<>();
        best.put("score", 0.9);
        best.put("area", 1);
        best.put("shapes", Collections.singletonList(shape));
        Map<String, Object> other = new HashMap<>();
        other.put("score", 0.5);
        other.put("area", 0);
        other.put("shapes", Collections.emptyList());
        Map<String, Object> obj = new HashMap<>();
        obj.put("index", 3);
        obj.put("rerun", true);
        obj.put("masks", Arrays.asList(best, other));
        SegmentedObject o = SegmentedObject.fromOutputs(obj);
        assertEquals(3, o.index());
        assertEquals(0.9, o.score());
        assertEquals(1, o.area());
        assertTrue(o.rerun());
        assertEquals(1, o.alternatives().size());
        assertTrue(o.alternatives().get(0).isEmpty());
    }

    @Test
    void workerErrorKindsBecomeTypedExceptions() {
        Map<String, Object> e = new HashMap<>();
        e.put("kind", "missing_weights");
        e.put("type", "samroi.worker_api.MissingWeightsError");
        e.put("model", "mobilesam");
        e.put("checkpoint", null);
        e.put("message", "The MobileSAM weights are not installed yet. Install them ...");
        e.put("problem", "The MobileSAM weights are not installed yet.");
        MissingWeightsException w = assertInstanceOf(MissingWeightsException.class, WorkerException.fromErrorOutputs("set_image", e, ""));
        assertNull(w.checkpoint());
        assertEquals("The MobileSAM weights are not installed yet.", w.problem());
        assertTrue(w.nextStep().contains("samroi weights install mobilesam"));
        e.put("checkpoint", "/x/y.pt");
        assertEquals(Paths.get("/x/y.pt"), ((MissingWeightsException) WorkerException.fromErrorOutputs("set_image", e, "")).checkpoint());

        Map<String, Object> p = new HashMap<>();
        p.put("kind", "prompt");
        p.put("type", "samroi.worker_api.BadPromptError");
        p.put("index", 2);
        p.put("message", "prompt 3: too many points");
        assertEquals(2, ((PromptException) WorkerException.fromErrorOutputs("segment", p, "")).promptIndex());

        Map<String, Object> other = new HashMap<>();
        other.put("kind", "weights");
        other.put("type", "samroi.errors.WeightsError");
        other.put("message", "line one\nline two");
        WorkerException x = assertInstanceOf(WorkerException.class, WorkerException.fromErrorOutputs("set_image", other, "tb"));
        assertEquals("line one\nline two", x.problem());
        assertEquals("tb", x.traceback());
    }

    @Test
    void tracebacksWithMultiLineMessagesKeepTheWholeMessage() {
        String tb = "Traceback (most recent call last):\n  File \"<string>\", line 1, in <module>\n"
                + "  File \"/x/worker.py\", line 3, in f\n    raise WeightsError(msg)\n    ^^^^^^^^^^\n"
                + "samroi.errors.WeightsError: cannot download\n  - way one\nlast line\n";
        WorkerException w = WorkerException.fromTraceback("set_image", tb);
        assertEquals("samroi.errors.WeightsError", w.pythonType());
        assertEquals("cannot download\n  - way one\nlast line", w.pythonMessage());
        List<String> lines = Arrays.asList(WorkerException.fromTraceback("x", "Traceback:\n  File \"a\", line 1\n    x\nKeyError: 'k'").pythonType());
        assertEquals("KeyError", lines.get(0));
    }

    @Test
    void optionsAreImmutable() {
        ImageOptions a = ImageOptions.defaults();
        ImageOptions b = a.withModel("mobilesam").withChannel(1).withRgbChannels(0, 2);
        assertEquals("efficientsam-ti", a.model());
        assertEquals("mobilesam", b.model());
        assertNull(b.channel());
        assertArrayEquals(new int[] { 0, 2 }, b.rgbChannels());
        assertEquals("percentile", a.normalize());
        SegmentOptions s = SegmentOptions.defaults().withMinArea(4).withSimplify(0.5);
        assertEquals(4, s.minArea());
        assertEquals(0, SegmentOptions.defaults().minArea());
        assertThrows(IllegalArgumentException.class, () -> SegmentOptions.defaults().withMinArea(-1));
    }
}
