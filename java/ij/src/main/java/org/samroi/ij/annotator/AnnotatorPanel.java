package org.samroi.ij.annotator;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.plugin.frame.PlugInFrame;

import java.awt.BorderLayout;
import java.awt.Button;
import java.awt.Checkbox;
import java.awt.Choice;
import java.awt.EventQueue;
import java.awt.FlowLayout;
import java.awt.GraphicsEnvironment;
import java.awt.GridBagConstraints;
import java.awt.GridBagLayout;
import java.awt.Insets;
import java.awt.Label;
import java.awt.Panel;
import java.awt.Rectangle;
import java.awt.TextArea;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.samroi.core.EnvironmentMissingException;
import org.samroi.core.ImageOptions;
import org.samroi.core.ModelInfo;
import org.samroi.core.ProgressEvent;
import org.samroi.core.ProgressListener;
import org.samroi.core.SamException;
import org.samroi.core.SamSession;
import org.samroi.core.SegmentOptions;
import org.samroi.core.env.PythonEnvironment;
import org.samroi.ij.PluginSettings;
import org.samroi.ij.SamRoi;

/**
 * The Annotator's small window: the model (and whether it is installed, with an Install button
 * and a progress bar), "largest part only", what is happening, Undo and Cancel. While it is open,
 * boxes and clicks on any image become ROIs (see {@link Annotator}); closing it stops that.
 *
 * <p>
 * The model starts as the Settings' model, and a choice here becomes the Settings' model (unless
 * the Settings name a checkpoint file, which holds the weights of their model only: the choice
 * then lasts while the window is open, and the checkpoint is used with the Settings' model only).
 */
public final class AnnotatorPanel extends PlugInFrame implements Annotator.View {

    private static final long serialVersionUID = 1L;
    /** The window title (also how the menu command finds an open panel). */
    public static final String TITLE = "SAM ROI Annotator";
    private static final String[] TITLES = {"EfficientSAM-Ti", "EfficientSAM-S", "MobileSAM"};

    private final Choice model = new Choice();
    private final Label modelState = new Label("checking...");
    private final Button install = new Button("Install");
    private final ProgressStrip progress = new ProgressStrip();
    private final Checkbox largestOnly = new Checkbox("Largest part only", true);
    private final Label image = new Label("No image open");
    private final TextArea status = new TextArea("", 3, 46, TextArea.SCROLLBARS_NONE);
    private final Button undo = new Button("Undo");
    private final Button cancel = new Button("Cancel");

    /** Checks and installs, off the event thread; one at a time. */
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "samroi-annotator-panel");
        t.setDaemon(true);
        return t;
    });
    private final ProgressListener sessionEvents = this::onSessionEvent;
    private final Annotator annotator;
    /** Read by the annotator's threads. */
    private volatile ImageOptions imageOptions;
    private volatile SegmentOptions segmentOptions = SegmentOptions.defaults();
    private SamSession listenedSession;
    private volatile CompletableFuture<PythonEnvironment> environmentInstall;
    private boolean installing;

    AnnotatorPanel() {
        super(TITLE);
        PluginSettings settings = SamRoi.settings();
        for (String t : TITLES) model.add(t);
        model.select(indexOf(settings.model()));
        imageOptions = optionsFor(settings.model());
        annotator = new Annotator(this, () -> imageOptions, () -> segmentOptions);
        layOut();
        model.addItemListener(e -> modelChosen());
        largestOnly.addItemListener(e -> segmentOptions = SegmentOptions.defaults().withAllComponents(!largestOnly.getState()));
        install.addActionListener(e -> install());
        undo.addActionListener(e -> {
            if (!annotator.undo(annotator.currentImage())) status("Nothing to undo on this image.");
        });
        cancel.addActionListener(e -> cancel());
        install.setEnabled(false);
    }

    /** Shows the window and starts annotating. */
    void open() {
        pack();
        placeBesideImage();
        WindowManager.addWindow(this); // listed in the Window menu, found by the menu command
        setVisible(true);
        status("Ready: " + Messages.HOW);
        annotator.start(); // may start encoding the current image, and say so
        checkModel();
    }

    /** The Annotator behind this window (tests watch it). */
    Annotator annotator() {
        return annotator;
    }

    @Override
    public void close() {
        annotator.close();
        SamSession s = listenedSession;
        if (s != null) s.removeListener(sessionEvents);
        background.shutdownNow();
        super.close();
    }

    // --- Annotator.View --------------------------------------------------------------------

    @Override
    public void status(String text) {
        onEdt(() -> status.setText(text));
    }

    @Override
    public void imageChanged(ImagePlus imp) {
        onEdt(() -> image.setText(imp == null ? "No image open" : "Image: " + imp.getTitle()));
    }

    // --- actions ---------------------------------------------------------------------------

    private void modelChosen() {
        String name = PluginSettings.MODELS[model.getSelectedIndex()];
        imageOptions = optionsFor(name);
        PluginSettings settings = PluginSettings.load();
        // Remembered for next time, unless a checkpoint file is set: it belongs to the Settings' model.
        if (settings.checkpoint() == null) settings.withModel(name).save();
        annotator.optionsChanged();
        checkModel();
    }

    private void cancel() {
        annotator.cancel();
        CompletableFuture<PythonEnvironment> env = environmentInstall;
        if (env != null) env.cancel(true);
        status("Cancelled.");
    }

    /** Installs what the chosen model lacks: samroi's Python environment, then the official weights. */
    private void install() {
        String name = imageOptions.model();
        installing = true;
        install.setEnabled(false);
        progress.show(-1);
        background.execute(() -> {
            try {
                try {
                    SamRoi.session();
                } catch (EnvironmentMissingException e) {
                    status("Installing samroi's Python environment (a few minutes, once)...");
                    CompletableFuture<PythonEnvironment> env = SamRoi.settings().installer().listener(sessionEvents)
                            .installAsync();
                    environmentInstall = env;
                    env.join();
                }
                SamSession session = listen(SamRoi.session());
                status("Installing the " + title(name) + " weights...");
                session.installWeights(name, null);
                status("The " + title(name) + " weights are installed. " + Messages.HOW);
            } catch (SamException | RuntimeException e) {
                status(Messages.failure(e));
            } finally {
                environmentInstall = null;
                onEdt(() -> {
                    installing = false;
                    progress.hideBar();
                });
                checkModelNow();
            }
        });
    }

    /** Finds out, off the event thread, whether the chosen model can run. */
    private void checkModel() {
        modelState.setText("checking...");
        install.setEnabled(false);
        background.execute(this::checkModelNow);
    }

    private void checkModelNow() {
        ImageOptions options = imageOptions;
        String state;
        boolean ready;
        Path checkpoint = options.checkpoint();
        if (checkpoint != null) {
            ready = Files.isRegularFile(checkpoint);
            state = (ready ? "checkpoint " : "missing checkpoint ") + checkpoint.getFileName();
        } else {
            try {
                ModelInfo info = null;
                for (ModelInfo m : listen(SamRoi.session()).listModels()) {
                    if (m.name().equals(options.model())) info = m;
                }
                ready = info != null && info.ready();
                state = ready ? "installed" : info != null && info.installed() ? "weights " + info.identity() : "not installed";
            } catch (EnvironmentMissingException e) {
                ready = false;
                state = "Python environment not installed";
            } catch (SamException | RuntimeException e) {
                ready = false;
                state = "unavailable";
                status(Messages.failure(e));
            }
        }
        String text = state;
        boolean canInstall = !ready && checkpoint == null;
        onEdt(() -> {
            modelState.setText(text);
            install.setEnabled(canInstall && !installing);
        });
    }

    /** Listens to session's progress events (once per session: Settings may have made a new one). */
    private SamSession listen(SamSession session) {
        synchronized (sessionEvents) {
            if (session != listenedSession) {
                if (listenedSession != null) listenedSession.removeListener(sessionEvents);
                session.addListener(sessionEvents);
                listenedSession = session;
            }
        }
        return session;
    }

    private void onSessionEvent(ProgressEvent event) {
        if (event.kind() != ProgressEvent.Kind.PROGRESS) return;
        onEdt(() -> {
            boolean done = event.maximum() > 0 && event.current() >= event.maximum();
            if (done && !installing) progress.hideBar();
            else progress.show(event.fraction());
            if (installing && !event.message().isEmpty()) status.setText(event.message());
            IJ.showStatus("samroi: " + event.message());
        });
    }

    // --- helpers ---------------------------------------------------------------------------

    private ImageOptions optionsFor(String name) {
        PluginSettings settings = SamRoi.settings();
        // The Settings' checkpoint file holds weights of the Settings' model only.
        Path checkpoint = name.equals(settings.model()) ? settings.checkpoint() : null;
        return ImageOptions.defaults().withModel(name).withCheckpoint(checkpoint);
    }

    private static int indexOf(String name) {
        for (int i = 0; i < PluginSettings.MODELS.length; i++) {
            if (PluginSettings.MODELS[i].equals(name)) return i;
        }
        return 0;
    }

    private static String title(String name) {
        return TITLES[indexOf(name)];
    }

    /** Right of the current image's window if there is room on the screen, else left of it. */
    private void placeBesideImage() {
        ImagePlus imp = WindowManager.getCurrentImage();
        if (imp == null || imp.getWindow() == null) return;
        Rectangle w = imp.getWindow().getBounds();
        Rectangle screen = GraphicsEnvironment.getLocalGraphicsEnvironment().getMaximumWindowBounds();
        int width = getWidth();
        int x = w.x + w.width + 10;
        if (x + width > screen.x + screen.width) x = Math.max(screen.x, w.x - width - 10);
        setLocation(x, Math.max(screen.y, Math.min(w.y, screen.y + screen.height - getHeight())));
    }

    private void layOut() {
        setLayout(new BorderLayout());
        Panel grid = new Panel(new GridBagLayout());
        GridBagConstraints c = new GridBagConstraints();
        c.insets = new Insets(2, 6, 2, 6);
        c.anchor = GridBagConstraints.WEST;
        c.gridy = 0;
        grid.add(new Label("Model:"), c);
        grid.add(model, c);
        grid.add(install, c);
        c.gridx = 0;
        c.gridwidth = 3;
        c.fill = GridBagConstraints.HORIZONTAL;
        c.gridy = 1;
        grid.add(modelState, c);
        c.gridy = 2;
        grid.add(progress, c);
        c.gridy = 3;
        c.fill = GridBagConstraints.NONE;
        grid.add(largestOnly, c);
        c.gridy = 4;
        c.fill = GridBagConstraints.HORIZONTAL;
        grid.add(image, c);
        c.gridy = 5;
        c.fill = GridBagConstraints.BOTH;
        c.weightx = 1;
        c.weighty = 1;
        status.setEditable(false);
        grid.add(status, c);
        add(grid, BorderLayout.CENTER);
        Panel buttons = new Panel(new FlowLayout(FlowLayout.RIGHT));
        buttons.add(undo);
        buttons.add(cancel);
        add(buttons, BorderLayout.SOUTH);
    }

    private static void onEdt(Runnable r) {
        if (EventQueue.isDispatchThread()) r.run();
        else EventQueue.invokeLater(r);
    }
}
