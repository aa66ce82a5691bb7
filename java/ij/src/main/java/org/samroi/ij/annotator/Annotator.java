package org.samroi.ij.annotator;

import ij.IJ;
import ij.ImageListener;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.ImageCanvas;
import ij.gui.ImageWindow;
import ij.gui.Roi;
import ij.plugin.frame.RoiManager;

import java.awt.AWTEvent;
import java.awt.Component;
import java.awt.EventQueue;
import java.awt.KeyEventDispatcher;
import java.awt.KeyboardFocusManager;
import java.awt.Toolkit;
import java.awt.Window;
import java.awt.event.AWTEventListener;
import java.awt.event.InputEvent;
import java.awt.event.KeyEvent;
import java.awt.event.MouseEvent;
import java.awt.event.WindowEvent;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import javax.swing.SwingUtilities;

import org.samroi.core.ImageOptions;
import org.samroi.core.ObjectNames;
import org.samroi.core.Prompt;
import org.samroi.core.SegmentOptions;
import org.samroi.ij.PluginSettings;

/**
 * The Annotator at work: prompts from the mouse on every open image become ROIs in the ROI
 * Manager, Ctrl+Z takes them back. One {@link AnnotationController} per image keeps that
 * image's objects and undo steps; all of them share the samroi worker (and so its model and
 * the encodings it cached), whichever image is active.
 *
 * <p>
 * Listening, with public ImageJ and AWT interfaces only:
 * <ul>
 * <li>mouse: a listener on each image canvas ({@link CanvasGestures}), added to every canvas the
 * mouse enters (an AWT event listener finds them, also the new canvas ImageJ makes when an
 * image's window is rebuilt; it also sees each press before ImageJ, so that the selection the
 * image had before a gesture is left alone);</li>
 * <li>Ctrl+Z: a key event dispatcher, which sees the key before ImageJ's own Edit &gt; Undo
 * shortcut; it takes the key only when the Annotator has something to undo on that image;</li>
 * <li>images closed: an {@link ImageListener} drops their bookkeeping; window activation: the
 * panel shows which image the Annotator works on, and images of one tile are encoded ahead.</li>
 * </ul>
 * Event thread only (except {@link #close()}, which hops there).
 */
final class Annotator {

    /** What the panel shows. */
    interface View {
        /** A line of status for the user. */
        void status(String text);

        /** The image the Annotator works on changed (may be null). */
        void imageChanged(ImagePlus imp);
    }

    private final View view;
    private final Supplier<ImageOptions> imageOptions;
    private final SamSegmenter segmenter;
    private final RoiManagerSink sink = new RoiManagerSink();
    private final Map<Integer, AnnotationController<PlaneTarget, Roi>> controllers = new HashMap<>();
    private final Map<ImageCanvas, CanvasGestures> canvases = new WeakHashMap<>();
    private final Set<PlaneTarget> encoded = new HashSet<>();
    private final List<AnnotationListener> observers = new CopyOnWriteArrayList<>();
    private final AWTEventListener windowsAndCanvases = this::onAwtEvent;
    private final KeyEventDispatcher undoKey = this::onKey;
    /** Called on the thread that opened or closed the image (a macro's, say): hops to the event thread. */
    private final ImageListener images = new ImageListener() {
        @Override
        public void imageOpened(ImagePlus imp) {
            EventQueue.invokeLater(() -> attach(imp));
        }

        @Override
        public void imageClosed(ImagePlus imp) {
            EventQueue.invokeLater(() -> {
                controllers.remove(imp.getID());
                encoded.removeIf(t -> t.image() == imp);
            });
        }

        @Override
        public void imageUpdated(ImagePlus imp) {
        }
    };
    private ImagePlus current;
    private boolean closed;

    /**
     * @param imageOptions the model and its options, read at every gesture
     * @param segmentOptions read for every prompt
     */
    Annotator(View view, Supplier<ImageOptions> imageOptions, Supplier<SegmentOptions> segmentOptions) {
        this.view = view;
        this.imageOptions = imageOptions;
        this.segmenter = new SamSegmenter(segmentOptions);
    }

    /** Starts listening to every open image and to the keyboard. */
    void start() {
        ImagePlus.addImageListener(images);
        Toolkit.getDefaultToolkit().addAWTEventListener(windowsAndCanvases,
                AWTEvent.MOUSE_EVENT_MASK | AWTEvent.WINDOW_EVENT_MASK);
        KeyboardFocusManager.getCurrentKeyboardFocusManager().addKeyEventDispatcher(undoKey);
        int[] ids = WindowManager.getIDList();
        if (ids != null) {
            for (int id : ids) attach(WindowManager.getImage(id));
        }
        follow(WindowManager.getCurrentImage());
    }

    /** Stops listening; prompts on their way still land. */
    void close() {
        if (!EventQueue.isDispatchThread()) {
            EventQueue.invokeLater(this::close);
            return;
        }
        if (closed) return;
        closed = true;
        ImagePlus.removeImageListener(images);
        Toolkit.getDefaultToolkit().removeAWTEventListener(windowsAndCanvases);
        KeyboardFocusManager.getCurrentKeyboardFocusManager().removeKeyEventDispatcher(undoKey);
        for (Map.Entry<ImageCanvas, CanvasGestures> e : canvases.entrySet()) e.getKey().removeMouseListener(e.getValue());
        canvases.clear();
        segmenter.close();
    }

    /** Also tell this listener what the controllers report (tests and benchmarks measure with it). */
    void addObserver(AnnotationListener listener) {
        observers.add(listener);
    }

    /** The image prompts go to when made from the panel (the one last active). */
    ImagePlus currentImage() {
        return current;
    }

    /** Whether no prompt is running or waiting on any image. */
    boolean isIdle() {
        for (AnnotationController<PlaneTarget, Roi> c : controllers.values()) {
            if (!c.isIdle()) return false;
        }
        return true;
    }

    /** Undo the last gesture on imp; false when there is none. */
    boolean undo(ImagePlus imp) {
        AnnotationController<PlaneTarget, Roi> c = imp == null ? null : controllers.get(imp.getID());
        return c != null && c.undo();
    }

    /** The current prompt of object number on imp, or null (tests check what a gesture asked for). */
    Prompt promptOf(ImagePlus imp, int number) {
        AnnotationController<PlaneTarget, Roi> c = controllers.get(imp.getID());
        return c == null ? null : c.promptOf(number);
    }

    /**
     * Cancels every prompt on its way, on every image (their gestures are taken back), the
     * encoding ahead, and whatever else the samroi worker is doing.
     */
    void cancel() {
        for (AnnotationController<PlaneTarget, Roi> c : controllers.values()) c.dropWaiting();
        segmenter.cancel();
    }

    /** The model or its options changed: encode the current image ahead with them. */
    void optionsChanged() {
        follow(current);
    }

    // --- events ------------------------------------------------------------------------------

    private void onAwtEvent(AWTEvent event) {
        if (event.getSource() instanceof ImageCanvas) {
            ImageCanvas canvas = (ImageCanvas) event.getSource();
            if (event.getID() == MouseEvent.MOUSE_ENTERED) attach(canvas);
            CanvasGestures g = canvases.get(canvas);
            ImagePlus imp = canvas.getImage();
            if (event.getID() == MouseEvent.MOUSE_PRESSED && g != null && imp != null) g.beforePress(imp.getRoi());
        } else if (event.getID() == WindowEvent.WINDOW_ACTIVATED && event.getSource() instanceof ImageWindow) {
            follow(((ImageWindow) event.getSource()).getImagePlus());
        }
    }

    private boolean onKey(KeyEvent e) {
        if (closed || e.getID() != KeyEvent.KEY_PRESSED || e.getKeyCode() != KeyEvent.VK_Z || e.isShiftDown()) return false;
        int shortcut = Toolkit.getDefaultToolkit().getMenuShortcutKeyMask() == InputEvent.META_MASK
                ? InputEvent.META_DOWN_MASK : InputEvent.CTRL_DOWN_MASK;
        if ((e.getModifiersEx() & shortcut) == 0) return false;
        ImagePlus imp = imageOf(e.getComponent());
        if (imp == null) return false;
        if (!undo(imp)) return false; // nothing of ours: ImageJ's Undo gets the key
        e.consume();
        return true;
    }

    /** The image of the window a key went to: an image window, or the panel (the current image). */
    private ImagePlus imageOf(Component c) {
        Window w = c instanceof Window ? (Window) c : SwingUtilities.getWindowAncestor(c);
        if (w instanceof ImageWindow) return ((ImageWindow) w).getImagePlus();
        if (w instanceof AnnotatorPanel) return current;
        return null;
    }

    private void attach(ImagePlus imp) {
        if (imp != null && imp.getCanvas() != null) attach(imp.getCanvas());
    }

    private void attach(ImageCanvas canvas) {
        if (closed || canvases.containsKey(canvas)) return;
        CanvasGestures g = new CanvasGestures(this::onGesture);
        canvas.addMouseListener(g);
        canvases.put(canvas, g);
    }

    private void follow(ImagePlus imp) {
        if (closed || imp == null) return;
        if (imp != current) {
            current = imp;
            view.imageChanged(imp);
        }
        encodeAhead(imp);
    }

    /** Encode the shown plane of a one-tile image ahead, so that the first click is quick. */
    private void encodeAhead(ImagePlus imp) {
        if (imp.getWidth() > 1024 || imp.getHeight() > 1024) return;
        PlaneTarget target = PlaneTarget.current(imp, imageOptions.get());
        if (!encoded.add(target)) return;
        view.status("Encoding " + target.describe() + " with " + target.options().model() + "...");
        segmenter.encode(target).whenComplete((ok, error) -> EventQueue.invokeLater(() -> {
            if (error != null) {
                encoded.remove(target);
                view.status(Messages.failure(error));
            } else if (isIdle()) {
                view.status("Ready: " + Messages.HOW);
            }
        }));
    }

    private void onGesture(ImagePlus imp, Gesture gesture, long nanos) {
        if (closed) return;
        follow(imp);
        PlaneTarget target = PlaneTarget.current(imp, imageOptions.get());
        boolean fresh = encoded.add(target); // the gesture encodes it anyway
        if (controller(imp).gesture(gesture, target, nanos) && fresh) {
            view.status("Encoding " + target.describe() + " for its first prompt (a second or two)...");
        }
    }

    private AnnotationController<PlaneTarget, Roi> controller(ImagePlus imp) {
        return controllers.computeIfAbsent(imp.getID(), id -> new AnnotationController<>(segmenter, sink,
                EventQueue::invokeLater, this::nextNumber, new Reporter(imp)));
    }

    /** One more than the highest samroi number in the ROI Manager or on its way there. */
    private int nextNumber() {
        int max = 0;
        for (AnnotationController<PlaneTarget, Roi> c : controllers.values()) max = Math.max(max, c.highestNumber());
        RoiManager rm = RoiManager.getInstance();
        if (rm != null) {
            List<String> models = Arrays.asList(PluginSettings.MODELS);
            for (int i = 0; i < rm.getCount(); i++) {
                String name = rm.getName(i);
                int n = ObjectNames.promptNumber(name);
                if (n > 0 && models.contains(name.substring(name.indexOf('-') + 1))) max = Math.max(max, n);
            }
        }
        return max + 1;
    }

    /** Puts what one image's controller reports into words, and passes it on to observers. */
    private final class Reporter implements AnnotationListener {
        private final ImagePlus imp;

        Reporter(ImagePlus imp) {
            this.imp = imp;
        }

        @Override
        public void working(int number, boolean refining) {
            view.status((refining ? "Refining " : "Segmenting ") + Messages.number(number) + " on '" + imp.getTitle()
                    + "'...");
            for (AnnotationListener o : observers) o.working(number, refining);
        }

        @Override
        public void shown(int number, long gestureNanos) {
            if (isIdle()) {
                view.status(Messages.number(number) + " in the ROI Manager ("
                        + Math.round((System.nanoTime() - gestureNanos) / 1e6) + " ms). " + Messages.HOW);
            }
            for (AnnotationListener o : observers) o.shown(number, gestureNanos);
        }

        @Override
        public void undone(int number) {
            view.status(Messages.number(number) + " undone.");
            for (AnnotationListener o : observers) o.undone(number);
        }

        @Override
        public void nothingFound(int number) {
            view.status("The model found no object there (" + Messages.number(number) + " not added).");
            IJ.showStatus("samroi: no object found there");
            for (AnnotationListener o : observers) o.nothingFound(number);
        }

        @Override
        public void failed(int number, Throwable error) {
            view.status(Messages.failure(error));
            for (AnnotationListener o : observers) o.failed(number, error);
        }

        @Override
        public void refused(String reason) {
            view.status(reason);
            IJ.showStatus(reason);
            for (AnnotationListener o : observers) o.refused(reason);
        }

        @Override
        public void idle() {
            for (AnnotationListener o : observers) o.idle();
        }
    }
}
