package org.samroi.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.gui.Roi;
import ij.gui.ShapeRoi;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.samroi.core.PolygonShape;
import org.samroi.core.SegmentedObject;

/**
 * ImageJ fills a factory ROI back to exactly the pixels of its shapes (pixel centres inside,
 * holes left out), for the shapes a mask can have. (The end-to-end comparison with the command
 * line's output is in SamRoiScriptingTest and the macro tests.)
 */
class RoiFactoryTest {

    static final int W = 40, H = 30;

    static PolygonShape shape(int[] outer, int[]... holes) {
        List<int[]> hx = new ArrayList<>(), hy = new ArrayList<>();
        for (int[] h : holes) {
            hx.add(xs(h));
            hy.add(ys(h));
        }
        return new PolygonShape(xs(outer), ys(outer), hx, hy, 0);
    }

    static int[] xs(int[] xy) {
        int[] x = new int[xy.length / 2];
        for (int i = 0; i < x.length; i++) x[i] = xy[2 * i];
        return x;
    }

    static int[] ys(int[] xy) {
        int[] y = new int[xy.length / 2];
        for (int i = 0; i < y.length; i++) y[i] = xy[2 * i + 1];
        return y;
    }

    static void assertFillsExactly(List<PolygonShape> shapes, Roi roi) {
        boolean[] got = IjTests.fill(roi, W, H);
        int filled = 0;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                boolean want = false;
                for (PolygonShape s : shapes) want |= s.containsPixel(x, y);
                assertEquals(want, got[y * W + x], "pixel " + x + "," + y);
                if (want) filled++;
            }
        }
        assertTrue(filled > 0);
    }

    // An L-shaped outline on pixel edges (staircase-free corners included), like the wand's.
    static final int[] L = {2, 3, 12, 3, 12, 6, 6, 6, 6, 15, 2, 15};
    static final int[] SQUARE = {15, 2, 35, 2, 35, 25, 15, 25};
    static final int[] HOLE = {20, 8, 27, 8, 27, 12, 24, 12, 24, 18, 20, 18};
    static final int[] ISLAND = {22, 10, 23, 10, 23, 11, 22, 11};

    @Test
    void onePartWithoutHolesIsATracedPolygon() {
        List<PolygonShape> shapes = Collections.singletonList(shape(L));
        Roi roi = RoiFactory.toRoi(shapes);
        assertEquals(Roi.TRACED_ROI, roi.getType());
        assertFillsExactly(shapes, roi);
    }

    @Test
    void holesAndSeveralPartsAreCompositeAndLeaveTheHolesOut() {
        List<PolygonShape> shapes = Arrays.asList(shape(SQUARE, HOLE), shape(L), shape(ISLAND));
        Roi roi = RoiFactory.toRoi(shapes);
        assertTrue(roi instanceof ShapeRoi);
        assertEquals(Roi.COMPOSITE, roi.getType());
        assertFillsExactly(shapes, roi);
        assertTrue(!IjTests.fill(roi, W, H)[10 * W + 21], "a hole pixel is not filled");
    }

    @Test
    void objectsAreNamedAndEmptyOnesGiveNoRoi() {
        SegmentedObject object = new SegmentedObject(0, 0.9, 0, false, Collections.singletonList(shape(L)),
                Collections.<SegmentedObject>emptyList());
        Roi roi = RoiFactory.toRoi(object, 7, "mobilesam", null);
        assertEquals("007-mobilesam", roi.getName());
        assertEquals(0, roi.getPosition());
        SegmentedObject empty = new SegmentedObject(1, Double.NaN, 0, false, Collections.<PolygonShape>emptyList(),
                Collections.<SegmentedObject>emptyList());
        assertNull(RoiFactory.toRoi(empty, 8, "mobilesam", null));
    }
}
