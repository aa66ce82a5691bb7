package org.samroi.icy.logic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Collections;

import org.junit.jupiter.api.Test;
import org.samroi.core.BadImageException;
import org.samroi.core.ImageOptions;
import org.samroi.core.ImagePixels;
import org.samroi.core.Prompt;
import org.samroi.core.PromptException;
import org.samroi.core.SamException;

/** Prompt geometry, planes, channel choices, data types and models: the Icy-free rules. */
class GeometryAndChoicesTest {

    @Test
    void pointsMoveFromIcyPositionsToPixelIndices() throws Exception {
        Prompt.Point centre = PromptGeometry.point(120.5, 80.5, true, 256, 256);
        assertEquals(120.0, centre.x(), "the centre of pixel 120 is index 120");
        assertEquals(80.0, centre.y());
        Prompt.Point corner = PromptGeometry.point(120.0, 80.0, false, 256, 256);
        assertEquals(119.5, corner.x(), "a pixel corner lies half way between two indices");
        assertFalse(corner.positive());
        Prompt.Point edge = PromptGeometry.point(0.1, 255.9, true, 256, 256);
        assertEquals(0.0, edge.x(), "the outer half of a border pixel stays on it");
        assertEquals(255.0, edge.y());
        PromptException out = assertThrows(PromptException.class, () -> PromptGeometry.point(256.0, 3, true, 256, 256));
        assertEquals("The point at (256.0, 3.0) is outside the 256 x 256 image.", out.problem());
        assertThrows(PromptException.class, () -> PromptGeometry.point(Double.NaN, 3, true, 256, 256));
    }

    @Test
    void rectanglesCoverThePixelsWhoseCentresTheyContain() throws Exception {
        Prompt.Box b = PromptGeometry.box(40, 60, 51, 61, 256, 256);
        assertArrayEquals(new double[] { 40, 60, 90, 120 }, new double[] { b.x0(), b.y0(), b.x1(), b.y1() },
                "an integer rectangle is ImageJ's: pixels x..x+w-1");
        Prompt.Box f = PromptGeometry.box(39.6, 60.4, 10.0, 10.2, 256, 256);
        assertArrayEquals(new double[] { 40, 60, 49, 70 }, new double[] { f.x0(), f.y0(), f.x1(), f.y1() });
        Prompt.Box clipped = PromptGeometry.box(-20, 250, 40, 30, 256, 256);
        assertArrayEquals(new double[] { 0, 250, 19, 255 }, new double[] { clipped.x0(), clipped.y0(), clipped.x1(), clipped.y1() });
        PromptException none = assertThrows(PromptException.class, () -> PromptGeometry.box(300, 10, 5, 5, 256, 256));
        assertTrue(none.problem().contains("covers no pixel of the 256 x 256 image"), none.problem());
        PromptException thin = assertThrows(PromptException.class, () -> PromptGeometry.box(10, 10, 1, 30, 256, 256));
        assertTrue(thin.problem().contains("a single row or column"), thin.problem());
    }

    @Test
    void planesComeFromTheRoiOrTheViewAndMustExist() throws Exception {
        Plane view = Plane.of(2, 1);
        assertEquals(Plane.of(2, 1), Plane.resolve(-1, -1, view, 5, 3), "Icy's -1: on every plane, so the viewed one");
        assertEquals(Plane.of(4, 1), Plane.resolve(4, -1, view, 5, 3));
        assertEquals(Plane.of(2, 0), Plane.resolve(-1, 0, view, 5, 3));
        SamException e = assertThrows(SamException.class, () -> Plane.resolve(5, 0, view, 5, 3));
        assertEquals("The prompt is on z=5, t=0 but the sequence has 5 slices and 3 frames.", e.problem());
        assertThrows(IllegalArgumentException.class, () -> Plane.of(-1, 0));
    }

    @Test
    void everyIcyDataTypeHasASamroiTypeWithoutConversion() throws Exception {
        String[] icy = { "UBYTE", "BYTE", "USHORT", "SHORT", "UINT", "INT", "ULONG", "LONG", "FLOAT", "DOUBLE" };
        Class<?>[] arrays = { byte[].class, byte[].class, short[].class, short[].class, int[].class, int[].class,
            long[].class, long[].class, float[].class, double[].class };
        String[] dtypes = { "uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64", "float32", "float64" };
        for (int i = 0; i < icy.length; i++) {
            ImagePixels.Type t = PixelTypes.of(icy[i]);
            assertEquals(arrays[i], t.arrayClass(), icy[i] + " is held in the same Java array as in Icy");
            assertEquals(dtypes[i], t.dtype(), icy[i]);
            assertEquals(icy[i].startsWith("U") ? false : true, t.isSigned(), icy[i]);
        }
        BadImageException e = assertThrows(BadImageException.class, () -> PixelTypes.of("UNDEFINED"));
        assertEquals("samroi cannot read this sequence: its data type is UNDEFINED.", e.problem());
        assertEquals("Convert the sequence to a defined data type (Sequence > Conversion) and try again.", e.nextStep());
    }

    @Test
    void channelChoicesSendOnlyTheChosenChannels() throws Exception {
        assertArrayEquals(new int[] { 0, 1, 2 }, ChannelChoice.auto().channelsToSend(3));
        assertArrayEquals(new int[] { 0 }, ChannelChoice.auto().channelsToSend(1));
        BadImageException four = assertThrows(BadImageException.class, () -> ChannelChoice.auto().channelsToSend(4));
        assertEquals("The sequence has 4 channels; the model sees at most three.", four.problem());
        assertArrayEquals(new int[] { 3 }, ChannelChoice.parse(" 3 ").channelsToSend(4));
        assertArrayEquals(new int[] { 2, 0 }, ChannelChoice.parse("2,0").channelsToSend(3));
        BadImageException missing = assertThrows(BadImageException.class, () -> ChannelChoice.single(3).channelsToSend(2));
        assertEquals("Channel 3 does not exist: the sequence has 2 channels (0..1).", missing.problem());
        assertEquals(ChannelChoice.auto(), ChannelChoice.parse(""));
        assertEquals(ChannelChoice.auto(), ChannelChoice.parse("Auto"));
        assertThrows(IllegalArgumentException.class, () -> ChannelChoice.parse("0,1,2,3"));
        assertThrows(IllegalArgumentException.class, () -> ChannelChoice.parse("red"));
        assertThrows(IllegalArgumentException.class, () -> ChannelChoice.parse("-1"));
        assertEquals("2,0", ChannelChoice.parse("2, 0").text());

        ImageOptions base = ImageOptions.defaults().withChannel(5);
        assertNull(ChannelChoice.single(1).apply(base).channel(), "one channel is sent alone, as gray");
        assertNull(ChannelChoice.single(1).apply(base).rgbChannels());
        assertArrayEquals(new int[] { 0, 1 }, ChannelChoice.rgb(2, 0).apply(base).rgbChannels(),
                "the chosen channels are sent in order, each with its own intensity range");
        assertNull(ChannelChoice.auto().apply(base).rgbChannels());
    }

    @Test
    void modelsByTheirSamroiNames() {
        assertEquals(SamModel.MOBILESAM, SamModel.fromId(" MobileSAM "));
        assertEquals("efficientsam-ti", SamModel.EFFICIENTSAM_TI.id());
        assertEquals(ImageOptions.DEFAULT_MODEL, SamModel.values()[0].id());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SamModel.fromId("sam-huge"));
        assertEquals("samroi has no model called 'sam-huge'; choose one of: efficientsam-ti, efficientsam-s, mobilesam",
                e.getMessage());
    }

    @Test
    void clicksAndDragsBecomePointsAndBoxes() {
        GestureTracker g = new GestureTracker();
        assertNull(g.release(1, 1, 1, 1), "no press, no gesture");
        g.press(10.5, 20.5, 100, 100);
        assertNull(g.drag(10.7, 20.6, 102, 101), "a shaky click is still a click");
        GestureTracker.Gesture click = g.release(10.8, 20.8, 102, 102);
        assertFalse(click.isBox());
        assertEquals(10.5, click.x(), "where the button went down");
        g.press(50, 60, 100, 100);
        assertArrayEquals(new double[] { 40, 60, 10, 15 }, g.drag(40, 75, 90, 130));
        GestureTracker.Gesture box = g.release(30, 80, 80, 140);
        assertTrue(box.isBox());
        assertArrayEquals(new double[] { 30, 60, 20, 20 }, new double[] { box.x(), box.y(), box.width(), box.height() });
        assertFalse(g.isActive());
    }

    @Test
    void shiftAndAltRefineTheLastObjectOnItsPlane() throws Exception {
        AnnotationState s = new AnnotationState();
        Plane p0 = Plane.of(0, 0);
        Plane p1 = Plane.of(1, 0);
        SamException noTarget = assertThrows(SamException.class,
                () -> s.next(new Prompt.Point(5, 5, true), null, false, true, p0, names()));
        assertTrue(noTarget.problem().startsWith("Alt-click marks background"), noTarget.problem());

        AnnotationState.Step first = s.next(new Prompt.Point(5, 5, true), null, false, false, p0,
                names("007-mobilesam", "cell", "012-efficientsam-ti"));
        assertEquals(13, first.number(), "after the highest samroi number on the sequence");
        assertFalse(first.refines());
        AnnotationState.Step more = s.next(new Prompt.Point(8, 9, true), null, true, false, p0, names());
        assertEquals(13, more.number());
        assertTrue(more.refines());
        assertEquals(2, more.prompt().points().size());
        AnnotationState.Step background = s.next(new Prompt.Point(1, 2, true), null, false, true, p0, names());
        assertFalse(background.prompt().points().get(2).positive(), "Alt: background");
        AnnotationState.Step boxed = s.next(null, new Prompt.Box(0, 0, 20, 20), true, false, p0, names());
        assertEquals(3, boxed.prompt().points().size());
        assertEquals(20.0, boxed.prompt().box().x1(), "Shift-box: a box for the same object");

        AnnotationState.Step other = s.next(new Prompt.Point(5, 5, true), null, true, false, p1, names());
        assertEquals(14, other.number(), "Shift on another plane starts a new object");
        s.failed(other);
        assertEquals(boxed, s.last(), "a failed step leaves the object as before");
        AnnotationState.Step next = s.next(new Prompt.Point(5, 5, true), null, false, false, p0, names());
        assertEquals(15, next.number(), "numbers given out are not reused");
        s.forget(15);
        assertNull(s.last(), "the user removed the outline: nothing to refine");
    }

    private static Iterable<String> names(String... names) {
        return names.length == 0 ? Collections.<String>emptyList() : Arrays.asList(names);
    }
}
