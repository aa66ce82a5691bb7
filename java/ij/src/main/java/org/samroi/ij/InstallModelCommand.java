package org.samroi.ij;

import ij.IJ;
import ij.Macro;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;
import ij.plugin.frame.Recorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import org.samroi.core.ModelInfo;
import org.samroi.core.ProgressEvent;
import org.samroi.core.SamException;
import org.samroi.core.UnknownModelException;
import org.samroi.core.env.EnvironmentInstaller;
import org.samroi.core.env.EnvironmentStatus;
import org.samroi.core.env.InstallMethod;

/**
 * Plugins > Segmentation > SAM ROI > Install Model: installs samroi's Python environment if it
 * is not there yet, then the official weights of a model, downloaded or from a copy of the
 * official file (for computers without internet access). The worker verifies the file before
 * it is used.
 *
 * <pre>
 * run("Install Model", "model=mobilesam");                               // download
 * run("Install Model", "model=efficientsam-ti file=[/data/efficient_sam_vitt.pt]");
 * </pre>
 */
public class InstallModelCommand implements PlugIn {

    static final String COMMAND = "Install Model";
    static final List<String> KEYS = Arrays.asList("model", "file");

    @Override
    public void run(String arg) {
        String macroOptions = Macro.getOptions();
        try {
            MacroOptions options = macroOptions != null
                    ? MacroOptions.parse(macroOptions).requireKnown(KEYS, COMMAND) : dialog();
            if (options == null) return;
            install(options);
            if (macroOptions == null && Recorder.record) {
                new OptionList().put("model", options.get("model", "")).putIfGiven("file", options.get("file", ""))
                        .record();
            }
        } catch (SamException e) {
            Feedback.error(e);
        }
    }

    static void install(MacroOptions options) throws SamException {
        String model = options.get("model", SamRoi.settings().model()).trim();
        if (!Arrays.asList(PluginSettings.MODELS).contains(model)) {
            throw new UnknownModelException(model, "Unknown model '" + model + "'; samroi has "
                    + String.join(", ", PluginSettings.MODELS) + ".");
        }
        String file = options.get("file", "").trim();
        Path source = file.isEmpty() ? null : Paths.get(file);
        if (source != null && !Files.isRegularFile(source)) {
            throw new SamException("The file " + source + " does not exist.",
                    "Give the path of the official weights file of " + model + ", or leave file out to download it.");
        }
        installEnvironment(SamRoi.settings());
        Feedback feedback = Feedback.start(SamRoi.session());
        try {
            IJ.showStatus("SAM ROI: installing the weights of " + model);
            Path installed = SamRoi.session().installWeights(model, source);
            IJ.log("SAM ROI: the weights of " + model + " are installed: " + installed);
            IJ.showStatus("SAM ROI: " + model + " is ready");
        } finally {
            feedback.close();
        }
    }

    /** Install the managed Python environment when it is not ready (minutes, once). */
    static void installEnvironment(PluginSettings settings) throws SamException {
        if (settings.method() == InstallMethod.EXISTING_PYTHON) return;
        EnvironmentInstaller installer = settings.installer();
        if (installer.status() == EnvironmentStatus.READY) return;
        IJ.log("SAM ROI: installing the Python environment in " + installer.location() + " (" + settings.method()
                + "); this takes a few minutes and about 500 MB.");
        installer.listener(event -> {
            if (event.kind() == ProgressEvent.Kind.LOG) return;
            IJ.showStatus("SAM ROI: " + event.message());
            if (event.maximum() > 0) IJ.showProgress((int) event.current(), (int) event.maximum());
        });
        installer.install();
        IJ.showProgress(1.0);
        SamRoi.restart(); // the next session uses the new environment
        IJ.log("SAM ROI: the Python environment is ready.");
    }

    private static MacroOptions dialog() throws SamException {
        PluginSettings settings = SamRoi.settings();
        GenericDialog gd = new GenericDialog("SAM ROI: Install Model");
        gd.addChoice("Model", PluginSettings.MODELS, settings.model());
        gd.addMessage(modelStates(settings));
        gd.addFileField("Weights file (empty: download)", "", 30);
        gd.showDialog();
        if (gd.wasCanceled()) return null;
        return new OptionList().put("model", gd.getNextChoice()).putIfGiven("file", gd.getNextString()).toOptions();
    }

    /** One line per model with its state, or why it cannot be known yet. */
    private static String modelStates(PluginSettings settings) {
        if (settings.method() != InstallMethod.EXISTING_PYTHON
                && settings.installer().status() != EnvironmentStatus.READY) {
            return "The Python environment is not installed yet: it is installed first\n"
                    + "(a few minutes, about 500 MB, needs internet access).";
        }
        try {
            StringBuilder s = new StringBuilder();
            for (ModelInfo m : SamRoi.session().listModels()) s.append(m).append('\n');
            return s.toString().trim();
        } catch (SamException e) {
            return "The models' state is not known: " + e.problem();
        }
    }
}
