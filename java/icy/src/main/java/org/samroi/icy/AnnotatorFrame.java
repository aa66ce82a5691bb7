package org.samroi.icy;

import java.awt.BorderLayout;
import java.awt.GridBagConstraints;
import java.awt.GridBagLayout;
import java.awt.Insets;
import java.awt.event.HierarchyEvent;
import java.io.File;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import javax.swing.BorderFactory;
import javax.swing.ButtonGroup;
import javax.swing.JButton;
import javax.swing.JCheckBox;
import javax.swing.JComboBox;
import javax.swing.JComponent;
import javax.swing.JFileChooser;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JProgressBar;
import javax.swing.JRadioButton;
import javax.swing.JTextField;
import javax.swing.SwingUtilities;

import org.samroi.core.EnvironmentMissingException;
import org.samroi.core.ModelInfo;
import org.samroi.core.ProgressEvent;
import org.samroi.core.ProgressListener;
import org.samroi.core.SamCancelledException;
import org.samroi.core.SamException;
import org.samroi.core.SamSession;
import org.samroi.core.env.EnvironmentInstaller;
import org.samroi.icy.logic.ChannelChoice;
import org.samroi.icy.logic.RuntimeCheck;
import org.samroi.icy.logic.SamModel;
import org.samroi.icy.logic.SamroiRuntime;
import org.samroi.icy.logic.SegmentService;
import org.samroi.icy.logic.Settings;

import icy.gui.frame.IcyFrame;
import icy.gui.main.ActiveSequenceListener;
import icy.main.Icy;
import icy.sequence.Sequence;
import icy.sequence.SequenceEvent;

/**
 * The samroi window: model and weights, the Python environment (install with progress), how
 * prompts behave, and the status of the work (encoding, segmenting) with a Cancel button. It
 * follows Icy's active sequence. Swing is touched on the event thread only; anything that may
 * take time (checking the environment, starting the worker, installs) runs on samroi threads.
 */
public final class AnnotatorFrame implements Annotator.View {

    private static final String HELP = "<html>Click an object: its outline becomes a polygon ROI. Drag: a box.<br>"
            + "Shift-click: add a point to the last object (Shift-drag: a new box for it).<br>"
            + "Alt-click: mark background for the last object.<br>"
            + "Points and rectangles drawn with Icy's ROI tools work the same way.</html>";

    private final SamroiRuntime runtime = SamroiRuntime.get();
    private final Settings settings = runtime.settings();
    private final Annotator annotator = new Annotator(runtime, this);
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "samroi-icy-window");
        t.setDaemon(true);
        return t;
    });
    private final ProgressListener sessionProgress = e -> SwingUtilities.invokeLater(() -> progress(e));
    private final ActiveSequenceListener follow = new Follow();

    private final JPanel panel = new JPanel(new BorderLayout());
    private final JLabel sequenceLabel = new JLabel(" ");
    private final JComboBox<SamModel> model = new JComboBox<>(SamModel.values());
    private final JLabel weights = new JLabel(" ");
    private final JButton downloadWeights = new JButton("Download weights");
    private final JButton weightsFromFile = new JButton("From file...");
    private final JTextField checkpoint = new JTextField(18);
    private final JComboBox<String> channels = new JComboBox<>(new String[] { "auto", "0", "1", "2", "0,1,2" });
    private final JCheckBox clickMode = new JCheckBox("Click on the image to segment (when no ROI tool is selected)");
    private final JCheckBox keepPrompts = new JCheckBox("Keep the prompt points and rectangles");
    private final JCheckBox keepHoles = new JCheckBox("Keep holes (the outline is then a path ROI)");
    private final JRadioButton managedPython = new JRadioButton("samroi's own Python environment");
    private final JRadioButton existingPython = new JRadioButton("An existing Python with samroi:");
    private final JTextField pythonPath = new JTextField(18);
    private final JButton installPython = new JButton("Install");
    private final JProgressBar bar = new JProgressBar();
    private final JLabel status = new JLabel(" ");
    private final JButton cancel = new JButton("Cancel");

    private IcyFrame frame;
    private CompletableFuture<?> install;

    public AnnotatorFrame() {
        build();
        panel.addHierarchyListener(e -> {
            if ((e.getChangeFlags() & HierarchyEvent.DISPLAYABILITY_CHANGED) != 0) {
                if (panel.isDisplayable()) opened();
                else closed();
            }
        });
    }

    /** Show the window (a new one if it was closed) and bring it to the front. */
    public void show() {
        if (frame == null || !panel.isDisplayable()) {
            frame = new IcyFrame("samroi", true, true, false, true);
            frame.setContentPane(panel);
            frame.pack();
            frame.addToDesktopPane();
            frame.center();
        }
        frame.setVisible(true);
        frame.toFront();
    }

    // --- Annotator.View ----------------------------------------------------------------------

    @Override
    public void working(String message) {
        bar.setIndeterminate(true);
        setStatus(message, false);
    }

    @Override
    public void done(String message) {
        bar.setIndeterminate(false);
        bar.setValue(0);
        setStatus(message, false);
    }

    @Override
    public void failed(SamException problem) {
        bar.setIndeterminate(false);
        bar.setValue(0);
        String next = problem.nextStep();
        if (problem instanceof EnvironmentMissingException && managedPython.isSelected()) {
            next = "Click Install next to \"samroi's own Python environment\" (a few minutes, about 500 MB), or choose "
                    + "an existing Python that has samroi.";
        }
        setStatus(problem.problem() + (next.isEmpty() ? "" : "\n" + next), true);
    }

    // --- life ----------------------------------------------------------------------------------

    private void opened() {
        Icy.getMainInterface().addActiveSequenceListener(follow);
        attach(Icy.getMainInterface().getActiveSequence());
        refreshEnvironment();
    }

    private void closed() {
        Icy.getMainInterface().removeActiveSequenceListener(follow);
        annotator.detach();
        SegmentService service = runtime.runningService();
        if (service != null) service.session().removeListener(sessionProgress);
    }

    private void attach(Sequence s) {
        annotator.attach(s);
        sequenceLabel.setText(s == null ? "No image: open one in Icy." : "Image: " + s.getName());
    }

    /** Which Python the worker uses, whether it is installed, and which weights are there (off the event thread). */
    private void refreshEnvironment() {
        working("Checking samroi's Python...");
        CompletableFuture.supplyAsync(() -> {
            try {
                String problems = RuntimeCheck.problems(); // JNA and JSON: said at start, in words
                if (problems != null) throw new SamException(problems, "");
                SegmentService service = runtime.service();
                service.session().removeListener(sessionProgress);
                service.session().addListener(sessionProgress);
                return service.session().listModels();
            } catch (SamException e) {
                throw new CompletionException(e);
            }
        }, background).whenComplete((models, error) -> SwingUtilities.invokeLater(() -> {
            if (error != null) {
                installPython.setEnabled(true);
                showError(error);
                return;
            }
            showWeights(models);
            done("Ready: click an object on the image.");
        }));
    }

    private void showWeights(List<ModelInfo> models) {
        SamModel chosen = (SamModel) model.getSelectedItem();
        for (ModelInfo m : models) {
            if (m.name().equals(chosen.id())) {
                boolean custom = settings.checkpoint() != null;
                weights.setText(m.installed() ? "Weights installed." : custom ? "Using the checkpoint file below."
                        : "Weights not installed.");
                downloadWeights.setEnabled(!m.installed());
            }
        }
    }

    // --- actions -------------------------------------------------------------------------------

    private void installEnvironment() {
        if (existingPython.isSelected()) {
            runtime.restart();
            refreshEnvironment();
            return;
        }
        EnvironmentInstaller installer = runtime.installer()
                .listener(e -> SwingUtilities.invokeLater(() -> progress(e)));
        working("Installing samroi's Python environment (a few minutes, about 500 MB)...");
        installPython.setEnabled(false);
        CompletableFuture<?> f = installer.installAsync();
        install = f;
        f.whenComplete((env, error) -> SwingUtilities.invokeLater(() -> {
            install = null;
            installPython.setEnabled(true);
            if (error != null) {
                showError(error);
                return;
            }
            runtime.restart();
            refreshEnvironment();
        }));
    }

    private void installWeights(Path file) {
        SamModel m = (SamModel) model.getSelectedItem();
        working((file == null ? "Downloading" : "Installing") + " the " + m.title() + " weights...");
        CompletableFuture.supplyAsync(() -> {
            try {
                SamSession session = runtime.service().session();
                return session.installWeights(m.id(), file);
            } catch (SamException e) {
                throw new CompletionException(e);
            }
        }, background).whenComplete((path, error) -> SwingUtilities.invokeLater(() -> {
            if (error != null) showError(error);
            else refreshEnvironment();
        }));
    }

    private void cancelWork() {
        CompletableFuture<?> f = install;
        if (f != null) f.cancel(true);
        SegmentService service = runtime.runningService();
        if (service != null) service.cancel();
    }

    private void showError(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof SamCancelledException || cause instanceof java.util.concurrent.CancellationException) {
            done("Cancelled.");
        } else if (cause instanceof SamException) {
            failed((SamException) cause);
        } else {
            failed(new SamException("Unexpected error in samroi: " + cause, "Please report this to the samroi developers.", cause));
        }
    }

    private void progress(ProgressEvent e) {
        if (e.kind() != ProgressEvent.Kind.PROGRESS || e.message().isEmpty()) return;
        if (e.maximum() > 0) {
            bar.setIndeterminate(false);
            bar.setMaximum(1000);
            bar.setValue((int) Math.round(1000 * e.fraction()));
        } else {
            bar.setIndeterminate(true);
        }
        setStatus(e.message(), false);
    }

    private void setStatus(String text, boolean error) {
        String html = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>");
        status.setText("<html><body style='width: 320px'>" + (error ? "<font color='#b00020'>" + html + "</font>" : html)
                + "</body></html>");
    }

    // --- layout --------------------------------------------------------------------------------

    private void build() {
        model.setSelectedItem(settings.model());
        model.addActionListener(e -> {
            settings.setModel((SamModel) model.getSelectedItem());
            refreshEnvironment();
        });
        downloadWeights.addActionListener(e -> installWeights(null));
        weightsFromFile.addActionListener(e -> chooseFile("The official weights file", null, f -> installWeights(f)));
        checkpoint.setText(settings.checkpoint() == null ? "" : settings.checkpoint().toString());
        checkpoint.addActionListener(e -> settings.setCheckpoint(text(checkpoint)));
        checkpoint.addFocusListener(new java.awt.event.FocusAdapter() {
            @Override
            public void focusLost(java.awt.event.FocusEvent e) {
                settings.setCheckpoint(text(checkpoint));
            }
        });
        channels.setEditable(true);
        channels.setSelectedItem(settings.channel().text());
        channels.addActionListener(e -> {
            try {
                settings.setChannel(ChannelChoice.parse(String.valueOf(channels.getSelectedItem())));
            } catch (IllegalArgumentException ex) {
                setStatus("Channels: " + ex.getMessage() + ". Write auto, one channel (1) or up to three (2,1,0).", true);
            }
        });
        clickMode.setSelected(settings.clickToSegment());
        clickMode.addActionListener(e -> settings.setClickToSegment(clickMode.isSelected()));
        keepPrompts.setSelected(settings.keepPrompts());
        keepPrompts.addActionListener(e -> settings.setKeepPrompts(keepPrompts.isSelected()));
        keepHoles.setSelected(settings.keepHoles());
        keepHoles.addActionListener(e -> settings.setKeepHoles(keepHoles.isSelected()));
        ButtonGroup python = new ButtonGroup();
        python.add(managedPython);
        python.add(existingPython);
        Path p = settings.python();
        existingPython.setSelected(p != null);
        managedPython.setSelected(p == null);
        pythonPath.setText(p == null ? "" : p.toString());
        managedPython.addActionListener(e -> usePython(null));
        existingPython.addActionListener(e -> usePython(text(pythonPath)));
        pythonPath.addActionListener(e -> usePython(text(pythonPath)));
        installPython.addActionListener(e -> installEnvironment());
        cancel.addActionListener(e -> cancelWork());
        JButton browseCheckpoint = new JButton("...");
        browseCheckpoint.addActionListener(e -> chooseFile("Checkpoint file", checkpoint, f -> settings.setCheckpoint(f)));
        JButton browsePython = new JButton("...");
        browsePython.addActionListener(e -> chooseFile("Python executable", pythonPath, f -> usePython(f)));

        JPanel form = new JPanel(new GridBagLayout());
        form.setBorder(BorderFactory.createEmptyBorder(8, 8, 8, 8));
        int row = 0;
        add(form, row++, sequenceLabel, null, null);
        add(form, row++, new JLabel("Model"), model, null);
        add(form, row++, weights, downloadWeights, weightsFromFile);
        add(form, row++, new JLabel("Checkpoint file (optional)"), checkpoint, browseCheckpoint);
        add(form, row++, new JLabel("Channels"), channels, null);
        add(form, row++, clickMode, null, null);
        add(form, row++, keepPrompts, null, null);
        add(form, row++, keepHoles, null, null);
        add(form, row++, managedPython, installPython, null);
        add(form, row++, existingPython, pythonPath, browsePython);
        add(form, row++, new JLabel(HELP), null, null);
        add(form, row++, bar, null, cancel);
        add(form, row, status, null, null);
        panel.add(form, BorderLayout.CENTER);
    }

    private void usePython(Path python) {
        settings.setPython(python);
        runtime.restart();
        refreshEnvironment();
    }

    private void chooseFile(String title, JTextField field, Consumer<Path> chosen) {
        JFileChooser chooser = new JFileChooser();
        chooser.setDialogTitle(title);
        if (chooser.showOpenDialog(panel) != JFileChooser.APPROVE_OPTION) return;
        File f = chooser.getSelectedFile();
        if (field != null) field.setText(f.getPath());
        chosen.accept(f.toPath());
    }

    private static Path text(JTextField field) {
        String t = field.getText().trim();
        return t.isEmpty() ? null : Paths.get(t);
    }

    private static void add(JPanel form, int row, JComponent a, JComponent b, JComponent c) {
        GridBagConstraints g = new GridBagConstraints();
        g.gridy = row;
        g.insets = new Insets(2, 2, 2, 2);
        g.anchor = GridBagConstraints.WEST;
        g.fill = GridBagConstraints.HORIZONTAL;
        g.gridx = 0;
        g.gridwidth = b == null && c == null ? 3 : b == null ? 2 : 1;
        form.add(a, g);
        if (b != null) {
            g.gridx = 1;
            g.gridwidth = c == null ? 2 : 1;
            g.weightx = 1;
            form.add(b, g);
        }
        if (c != null) {
            g.gridx = 2;
            g.gridwidth = 1;
            g.weightx = 0;
            form.add(c, g);
        }
    }

    /** Follows Icy's active sequence. */
    private final class Follow implements ActiveSequenceListener {
        @Override
        public void sequenceActivated(Sequence sequence) {
            SwingUtilities.invokeLater(() -> attach(sequence));
        }

        @Override
        public void sequenceDeactivated(Sequence sequence) {
            // the next activation attaches the new one; prompts on this one are finished first
        }

        @Override
        public void activeSequenceChanged(SequenceEvent event) {
            // changes inside the sequence come through the annotator's own listener
        }
    }
}
