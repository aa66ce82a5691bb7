package org.samroi.icy;

import java.awt.event.MouseEvent;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

import javax.swing.SwingUtilities;

import org.samroi.core.ObjectNames;
import org.samroi.core.Prompt;
import org.samroi.core.SamCancelledException;
import org.samroi.core.SamException;
import org.samroi.core.SegmentOptions;
import org.samroi.core.SegmentedObject;
import org.samroi.icy.logic.AnnotationState;
import org.samroi.icy.logic.GestureTracker;
import org.samroi.icy.logic.Plane;
import org.samroi.icy.logic.PromptGeometry;
import org.samroi.icy.logic.SamroiRuntime;
import org.samroi.icy.logic.SegmentService;
import org.samroi.icy.logic.Settings;

import icy.main.Icy;
import icy.roi.ROI;
import icy.roi.ROI2D;
import icy.sequence.Sequence;
import icy.sequence.SequenceEvent;
import icy.sequence.SequenceListener;
import icy.system.thread.ThreadUtil;
import plugins.kernel.roi.roi2d.ROI2DPoint;
import plugins.kernel.roi.roi2d.ROI2DRectangle;

/**
 * The interactive part: prompts drawn on the attached sequence become objects.
 *
 * <ul>
 * <li>With no ROI tool selected (and "click to segment" on), a click is a point prompt and a
 * drag a box prompt ({@link PromptOverlay} takes those mouse events from the canvas).</li>
 * <li>Points and rectangles drawn with Icy's own ROI tools are prompts too: they are collected
 * while the mouse button is down (Icy adds a ROI at the press and a rectangle grows with the
 * drag) and used once the release has been handled by Icy.</li>
 * <li>Shift refines the last object with a point (or a new box), Alt marks background
 * ({@link AnnotationState}); with Icy's tools only Alt, as Shift pins a ROI to its plane there.
 * The prompt ROI is removed afterwards unless "keep prompts" is on.</li>
 * </ul>
 * Everything here runs on the event thread; the segmentation runs on samroi's threads and its
 * result comes back to the event thread, where the outline ROI is added (or replaced).
 */
public final class Annotator {

    /** What the samroi window shows. Called on the event thread. */
    public interface View {
        void working(String message);

        void done(String message);

        void failed(SamException problem);
    }

    private final SamroiRuntime runtime;
    private final View view;
    private final PromptOverlay overlay = new PromptOverlay(this);
    private final SequenceListener listener = new Listener();
    private final GestureTracker gesture = new GestureTracker();
    private final Map<Sequence, AnnotationState> states = new WeakHashMap<>();
    private final Map<Sequence, Map<Integer, ROI2D>> outlines = new WeakHashMap<>();
    private final Map<Sequence, long[]> versions = new WeakHashMap<>();
    private final Set<ROI> own = Collections.newSetFromMap(new WeakHashMap<ROI, Boolean>());
    private final List<ROI2D> drawn = new ArrayList<>();
    private Sequence sequence;
    private boolean buttonDown;
    private ROI2DRectangle dragBox;

    public Annotator(SamroiRuntime runtime, View view) {
        this.runtime = runtime;
        this.view = view;
    }

    /** Annotate this sequence (null: none); the previous one is left alone from now on. */
    public void attach(Sequence s) {
        if (s == sequence) return;
        detach();
        sequence = s;
        if (s == null) return;
        s.addListener(listener);
        s.addOverlay(overlay);
    }

    public void detach() {
        if (sequence == null) return;
        sequence.removeListener(listener);
        sequence.removeOverlay(overlay);
        sequence = null;
        gesture.cancel();
        removeDragBox();
        drawn.clear();
        buttonDown = false;
    }

    public Sequence sequence() {
        return sequence;
    }

    /** The layer this annotator puts on the sequence (Icy calls it; tests drive it). */
    PromptOverlay overlay() {
        return overlay;
    }

    // --- mouse (from PromptOverlay) ------------------------------------------------------------

    /** A press on the image; true when it starts a click-to-segment gesture (the canvas must not see it). */
    boolean pressed(MouseEvent e, double x, double y, int z, int t) {
        if (!SwingUtilities.isLeftMouseButton(e)) return false;
        buttonDown = true;
        drawn.clear();
        if (!settings().clickToSegment() || toolSelected()) return false;
        gesture.press(x, y, e.getX(), e.getY());
        return true;
    }

    boolean dragged(MouseEvent e, double x, double y) {
        if (!gesture.isActive()) return false;
        double[] box = gesture.drag(x, y, e.getX(), e.getY());
        if (box != null) showDragBox(box);
        return true;
    }

    /** The release; the prompt is handled after Icy has finished with the event. */
    boolean released(MouseEvent e, double x, double y, int z, int t) {
        boolean shift = e.isShiftDown();
        boolean alt = e.isAltDown();
        Plane shown = Plane.of(Math.max(0, z), Math.max(0, t)); // the canvas's plane
        buttonDown = false;
        if (gesture.isActive()) {
            GestureTracker.Gesture g = Double.isNaN(x) ? null : gesture.release(x, y, e.getX(), e.getY());
            gesture.cancel();
            ROI2DRectangle box = dragBox;
            dragBox = null;
            if (g != null) ThreadUtil.invokeLater(() -> onGesture(g, box, shift, alt, shown), true);
            else removeRoi(box);
            return true;
        }
        if (!drawn.isEmpty()) {
            List<ROI2D> rois = new ArrayList<>(drawn);
            drawn.clear();
            // With Icy's tools Shift pins the ROI to the plane, so it does not refine here; Alt does.
            ThreadUtil.invokeLater(() -> onDrawn(rois, false, alt, shown), true);
        }
        return false;
    }

    // --- prompts -------------------------------------------------------------------------------

    /** Points and rectangles drawn with Icy's tools during the last press. */
    private void onDrawn(List<ROI2D> rois, boolean shift, boolean alt, Plane shown) {
        Sequence s = sequence;
        if (s == null) return;
        for (ROI2D roi : rois) {
            if (!s.contains(roi)) continue;
            try {
                Plane plane = IcyPrompts.plane(roi, shown, s);
                Prompt.Point point = roi instanceof ROI2DPoint ? IcyPrompts.point((ROI2DPoint) roi, true, s) : null;
                Prompt.Box box = roi instanceof ROI2DRectangle ? IcyPrompts.box((ROI2DRectangle) roi, s) : null;
                if (settings().keepPrompts()) own.add(roi);
                else s.removeROI(roi);
                prompt(s, point, box, shift, alt, plane);
            } catch (SamException e) {
                view.failed(e);
            }
        }
    }

    /** A click or drag on the image (no ROI tool). */
    private void onGesture(GestureTracker.Gesture g, ROI2DRectangle dragged, boolean shift, boolean alt, Plane plane) {
        Sequence s = sequence;
        if (s == null) {
            removeRoi(dragged);
            return;
        }
        try {
            Prompt.Point point = null;
            Prompt.Box box = null;
            if (g.isBox()) {
                box = PromptGeometry.box(g.x(), g.y(), g.width(), g.height(), s.getWidth(), s.getHeight());
            } else {
                point = PromptGeometry.point(g.x(), g.y(), true, s.getWidth(), s.getHeight());
            }
            prompt(s, point, box, shift, alt, plane);
            if (settings().keepPrompts()) {
                ROI2D marker = dragged != null ? dragged : new ROI2DPoint(g.x(), g.y());
                marker.setZ(plane.z());
                marker.setT(plane.t());
                own.add(marker);
                if (!s.contains(marker)) s.addROI(marker);
            } else {
                removeRoi(dragged);
            }
        } catch (SamException e) {
            removeRoi(dragged);
            view.failed(e);
        }
    }

    private void prompt(Sequence s, Prompt.Point point, Prompt.Box box, boolean shift, boolean alt, Plane plane)
            throws SamException {
        plane.checkIn(s.getSizeZ(), s.getSizeT());
        AnnotationState state = states.computeIfAbsent(s, k -> new AnnotationState());
        AnnotationState.Step step = state.next(point, box, shift, alt, plane, names(s));
        Settings settings = settings();
        String model = settings.model().id();
        SegmentService service;
        try {
            service = runtime.service();
        } catch (SamException e) {
            state.failed(step);
            throw e;
        }
        view.working((step.refines() ? "Refining object " : "Segmenting object ") + step.number() + "...");
        long version = versions.computeIfAbsent(s, k -> new long[1])[0];
        SegmentOptions options = SegmentOptions.defaults().withKeepHoles(settings.keepHoles());
        service.segmentAsync(IcyImages.request(s, plane, version, settings.channel(), settings.imageOptions()),
                Collections.singletonList(step.prompt()), options)
                .whenComplete((objects, error) -> ThreadUtil.invokeLater(
                        () -> finish(s, state, step, model, objects, error), false));
    }

    /** On the event thread: put the object's outline on the sequence (replacing its previous one). */
    private void finish(Sequence s, AnnotationState state, AnnotationState.Step step, String model,
            List<SegmentedObject> objects, Throwable error) {
        if (error != null) {
            state.failed(step);
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof SamCancelledException || cause instanceof CancellationException) {
                view.done("Cancelled.");
            } else if (cause instanceof SamException) {
                view.failed((SamException) cause);
            } else {
                view.failed(new SamException("Unexpected error in samroi: " + cause, "Please report this to the samroi developers.", cause));
            }
            return;
        }
        SegmentedObject object = objects.get(0);
        if (object.isEmpty()) {
            state.failed(step);
            view.done("Nothing found for object " + step.number() + "; try another point or a box.");
            return;
        }
        ROI2D roi = IcyObjects.toRoi(object, ObjectNames.name(step.number(), model), step.plane(), model);
        ROI2D previous = outlines.computeIfAbsent(s, k -> new HashMap<>()).put(step.number(), roi);
        own.add(roi);
        if (previous != null && s.contains(previous)) s.removeROI(previous);
        s.addROI(roi);
        view.done(String.format(java.util.Locale.ROOT, "Object %d: %d pixels (score %.2f).", step.number(), object.area(),
                object.score()));
    }

    // --- helpers -------------------------------------------------------------------------------

    private Settings settings() {
        return runtime.settings();
    }

    private static boolean toolSelected() {
        String tool = Icy.getMainInterface().getSelectedTool();
        return tool != null && !tool.isEmpty();
    }

    private static List<String> names(Sequence s) {
        List<String> names = new ArrayList<>();
        for (ROI roi : s.getROIs()) names.add(roi.getName());
        return names;
    }

    private void showDragBox(double[] box) {
        Sequence s = sequence;
        if (s == null) return;
        Rectangle2D r = new Rectangle2D.Double(box[0], box[1], box[2], box[3]);
        if (dragBox == null) {
            dragBox = new ROI2DRectangle(r.getMinX(), r.getMinY(), r.getMaxX(), r.getMaxY());
            own.add(dragBox);
            s.addROI(dragBox);
        } else {
            dragBox.setRectangle(r);
        }
    }

    private void removeDragBox() {
        removeRoi(dragBox);
        dragBox = null;
    }

    private void removeRoi(ROI roi) {
        Sequence s = sequence;
        if (roi != null && s != null && s.contains(roi)) s.removeROI(roi);
    }

    /** Collects the prompt ROIs drawn with Icy's tools, follows outline removals and pixel changes. */
    private final class Listener implements SequenceListener {
        @Override
        public void sequenceChanged(SequenceEvent event) {
            Sequence s = event.getSequence();
            if (event.getSourceType() == SequenceEvent.SequenceEventSourceType.SEQUENCE_DATA) {
                versions.computeIfAbsent(s, k -> new long[1])[0]++;
                return;
            }
            if (event.getSourceType() != SequenceEvent.SequenceEventSourceType.SEQUENCE_ROI) return;
            Object source = event.getSource();
            if (event.getType() == SequenceEvent.SequenceEventType.ADDED && buttonDown && source instanceof ROI
                    && IcyPrompts.isPrompt((ROI) source) && !own.contains(source)) {
                drawn.add((ROI2D) source);
            } else if (event.getType() == SequenceEvent.SequenceEventType.REMOVED) {
                Map<Integer, ROI2D> mine = outlines.get(s);
                if (mine == null) return;
                for (Map.Entry<Integer, ROI2D> e : new ArrayList<>(mine.entrySet())) {
                    if (e.getValue() == source) {
                        mine.remove(e.getKey());
                        AnnotationState state = states.get(s);
                        if (state != null) state.forget(e.getKey());
                    }
                }
            }
        }

        @Override
        public void sequenceClosed(Sequence s) {
            if (s == sequence) detach();
        }
    }
}
