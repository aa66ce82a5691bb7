package org.samroi.icy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.event.InputEvent;
import java.awt.event.MouseEvent;
import java.awt.geom.Rectangle2D;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import javax.swing.SwingUtilities;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.samroi.core.SamException;
import org.samroi.icy.logic.ChannelChoice;
import org.samroi.icy.logic.SamModel;
import org.samroi.icy.logic.SamroiRuntime;
import org.samroi.icy.logic.Settings;

import icy.canvas.IcyCanvas;
import icy.roi.ROI;
import icy.roi.ROI2D;
import icy.sequence.Sequence;
import icy.type.point.Point5D;
import plugins.kernel.roi.roi2d.ROI2DPoint;
import plugins.kernel.roi.roi2d.ROI2DPolygon;
import plugins.kernel.roi.roi2d.ROI2DRectangle;

/**
 * The interactive annotator through the Icy mirror, as Icy drives it: mouse events reach the
 * samroi overlay on the event thread, Icy's ROI tools add ROIs at the press, results come back
 * to the event thread. Outlines must cover exactly the library's pixels for the same prompts.
 * (No real Icy here: the canvas and the event order are the mirror's, as API.md describes them.)
 */
@Timeout(600)
class AnnotatorTest {

    private static final SamroiRuntime runtime = SamroiRuntime.get();
    private final BlockingQueue<String> outcomes = new LinkedBlockingQueue<>();
    private final Annotator.View view = new Annotator.View() {
        @Override
        public void working(String message) {
            assertTrue(SwingUtilities.isEventDispatchThread(), "the window is told on the event thread");
        }

        @Override
        public void done(String message) {
            outcomes.add("done: " + message);
        }

        @Override
        public void failed(SamException problem) {
            outcomes.add("failed: " + problem.problem());
        }
    };
    private final Annotator annotator = new Annotator(runtime, view);
    private final IcyCanvas canvas = new IcyCanvas() {
        private static final long serialVersionUID = 1L;

        @Override
        public void refresh() {
        }
    };
    private PromptOverlay overlay;

    @BeforeAll
    static void settings() {
        assumeTrue(Files.isRegularFile(IcyFixtures.checkpoint()), "fixture checkpoint missing");
        Settings s = runtime.settings();
        s.setModel(SamModel.EFFICIENTSAM_TI);
        s.setCheckpoint(IcyFixtures.checkpoint());
        s.setNormalize("range:0,255");
        s.setChannel(ChannelChoice.auto());
        s.setKeepHoles(false);
        s.setPython(null);
    }

    @BeforeEach
    void overlay() {
        overlay = annotator.overlay();
    }

    @AfterEach
    void detach() throws Exception {
        SwingUtilities.invokeAndWait(annotator::detach);
    }

    /** Points and rectangles drawn with Icy's ROI tools become outlines; the prompt ROIs go. */
    @Test
    void pointsAndRectanglesDrawnWithIcysToolsBecomeOutlines(@TempDir Path tmp) throws Exception {
        runtime.settings().setClickToSegment(false);
        runtime.settings().setKeepPrompts(false);
        Map<String, boolean[]> library = IcyFixtures.library(IcyFixtures.GRAY, IcyFixtures.csv(tmp, IcyFixtures.PROMPTS), tmp,
                "--normalize", "range:0,255", "--no-holes");
        Sequence s = IcyFixtures.gray(IcyFixtures.GRAY);
        onEdt(() -> annotator.attach(s));

        // Icy's point tool: the ROI is added at the press; the centre of pixel (150, 100), prompt a.
        ROI2DPoint point = new ROI2DPoint(150.5, 100.5);
        onEdt(() -> {
            overlay.mousePressed(mouse(MouseEvent.MOUSE_PRESSED, 10, 10, 0), at(150.5, 100.5), canvas);
            s.addROI(point);
            overlay.mouseReleased(mouse(MouseEvent.MOUSE_RELEASED, 10, 10, 0), at(150.5, 100.5), canvas);
        });
        assertTrue(outcome().startsWith("done: Object 1"));
        // Icy's rectangle tool: zero-sized at the press, grown by the drag; pixels 40..90 x 60..120, prompt c.
        ROI2DRectangle rect = new ROI2DRectangle(40, 60, 40, 60);
        onEdt(() -> {
            overlay.mousePressed(mouse(MouseEvent.MOUSE_PRESSED, 10, 10, 0), at(40, 60), canvas);
            s.addROI(rect);
            rect.setRectangle(new Rectangle2D.Double(40, 60, 51, 61));
            overlay.mouseReleased(mouse(MouseEvent.MOUSE_RELEASED, 60, 70, 0), at(91, 121), canvas);
        });
        assertTrue(outcome().startsWith("done: Object 2"));

        List<ROI> rois = s.getROIs();
        assertEquals(Arrays.asList("001-efficientsam-ti", "002-efficientsam-ti"), names(rois), "the prompt ROIs are removed");
        for (ROI roi : rois) {
            assertInstanceOf(ROI2DPolygon.class, roi);
            assertEquals(0, ((ROI2D) roi).getZ(), "on the viewed plane, not on all planes");
            assertEquals(0, ((ROI2D) roi).getT());
        }
        assertEquals(0, IcyFixtures.differing(library.get("001-efficientsam-ti"), IcyFixtures.mask(rois.get(0), 256, 256)));
        assertEquals(0, IcyFixtures.differing(library.get("003-efficientsam-ti"), IcyFixtures.mask(rois.get(1), 256, 256)));
    }

    /** Clicks and drags with no ROI tool, Shift to refine, Alt to mark background, prompts kept on request. */
    @Test
    void clicksDragsAndRefinementsWithoutATool(@TempDir Path tmp) throws Exception {
        runtime.settings().setClickToSegment(true);
        runtime.settings().setKeepPrompts(true);
        Map<String, boolean[]> library = IcyFixtures.library(IcyFixtures.GRAY, IcyFixtures.csv(tmp, IcyFixtures.PROMPTS), tmp,
                "--normalize", "range:0,255", "--no-holes");
        Map<String, boolean[]> refined = IcyFixtures.library(IcyFixtures.GRAY, IcyFixtures.csv(tmp, Arrays.asList(
                "prompt,x,y,label,x0,y0,x1,y1", "d,,,,170,20,230,80", "d,200,50,1,,,,", "d,215,70,0,,,,")), tmp,
                "--normalize", "range:0,255", "--no-holes");
        Sequence s = IcyFixtures.gray(IcyFixtures.GRAY);
        onEdt(() -> annotator.attach(s));

        SamException alt = clickAndExpectFailure(s, 60.5, 200.5, InputEvent.ALT_DOWN_MASK);
        assertTrue(alt.problem().startsWith("Alt-click marks background"), alt.problem());

        click(60.5, 200.5, 0); // prompt b
        assertTrue(outcome().startsWith("done: Object 1"));
        // A drag from (170, 20) to (231, 81): the box of pixels 170..230 x 20..80, prompt d.
        onEdt(() -> {
            MouseEvent press = mouse(MouseEvent.MOUSE_PRESSED, 100, 100, 0);
            overlay.mousePressed(press, at(170, 20), canvas);
            assertTrue(press.isConsumed(), "Icy's canvas must not pan or select");
            overlay.mouseDrag(mouse(MouseEvent.MOUSE_DRAGGED, 130, 130, 0), at(200, 50), canvas);
            overlay.mouseDrag(mouse(MouseEvent.MOUSE_DRAGGED, 161, 161, 0), at(231, 81), canvas);
            overlay.mouseReleased(mouse(MouseEvent.MOUSE_RELEASED, 161, 161, 0), at(231, 81), canvas);
        });
        assertTrue(outcome().startsWith("done: Object 2"));
        click(200.5, 50.5, InputEvent.SHIFT_DOWN_MASK);
        assertTrue(outcome().startsWith("done: Object 2"));
        click(215.5, 70.5, InputEvent.ALT_DOWN_MASK);
        assertTrue(outcome().startsWith("done: Object 2"));

        List<ROI> rois = s.getROIs();
        List<ROI> outlines = rois.stream().filter(r -> r instanceof ROI2DPolygon).collect(Collectors.toList());
        assertEquals(Arrays.asList("001-efficientsam-ti", "002-efficientsam-ti"), names(outlines),
                "one outline per object: refinements replace it");
        assertEquals(0, IcyFixtures.differing(library.get("002-efficientsam-ti"), IcyFixtures.mask(outlines.get(0), 256, 256)));
        assertEquals(0, IcyFixtures.differing(refined.get("001-efficientsam-ti"), IcyFixtures.mask(outlines.get(1), 256, 256)),
                "the box, the Shift point and the Alt point form one prompt");
        List<ROI> points = rois.stream().filter(r -> r instanceof ROI2DPoint).collect(Collectors.toList());
        assertEquals(3, points.size(), "the prompts are kept (not the refused Alt-click)");
        assertEquals(1, rois.stream().filter(r -> r instanceof ROI2DRectangle).count(), "the dragged box is kept");
        for (ROI p : points) assertEquals(0, ((ROI2D) p).getZ(), "kept prompts are on their plane");
        assertFalse(outlines.get(0).getName().isEmpty());
    }

    private SamException clickAndExpectFailure(Sequence s, double x, double y, int modifiers) throws Exception {
        click(x, y, modifiers);
        String o = outcome();
        assertTrue(o.startsWith("failed: "), o);
        return new SamException(o.substring("failed: ".length()), "");
    }

    private void click(double x, double y, int modifiers) throws Exception {
        onEdt(() -> {
            overlay.mousePressed(mouse(MouseEvent.MOUSE_PRESSED, 5, 5, modifiers), at(x, y), canvas);
            overlay.mouseReleased(mouse(MouseEvent.MOUSE_RELEASED, 6, 5, modifiers), at(x, y), canvas);
        });
    }

    private String outcome() throws InterruptedException {
        String o = outcomes.poll(300, TimeUnit.SECONDS);
        assertNotNull(o, "no result from the annotator");
        return o;
    }

    private MouseEvent mouse(int id, int x, int y, int modifiers) {
        return new MouseEvent(canvas, id, System.currentTimeMillis(), modifiers | InputEvent.BUTTON1_DOWN_MASK, x, y, 1,
                false, MouseEvent.BUTTON1);
    }

    private static Point5D.Double at(double x, double y) {
        return new Point5D.Double(x, y, 0, 0, 0);
    }

    private static List<String> names(List<ROI> rois) {
        List<String> out = new ArrayList<>();
        for (ROI r : rois) out.add(r.getName());
        return out;
    }

    private static void onEdt(Runnable r) throws Exception {
        SwingUtilities.invokeAndWait(r);
    }
}
