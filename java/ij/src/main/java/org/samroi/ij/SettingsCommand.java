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
import java.util.Locale;
import java.util.Objects;
import org.samroi.core.SamException;
import org.samroi.core.UnknownModelException;
import org.samroi.core.env.InstallMethod;

/**
 * Plugins > Segmentation > SAM ROI > Settings: the default model, where samroi's Python comes
 * from, and an optional checkpoint file used instead of the official weights. Stored in
 * ImageJ's preferences; a changed Python restarts the worker.
 *
 * <pre>
 * run("Settings", "model=mobilesam");
 * run("Settings", "environment=existing python=[/opt/conda/envs/samroi/bin/python]");
 * run("Settings", "environment=micromamba folder=[/data/samroi-env] checkpoint=[]");
 * </pre>
 *
 * environment: micromamba (default: samroi installs a conda environment), uv (a virtual
 * environment made with uv), existing (a Python you have, with samroi installed in it).
 */
public class SettingsCommand implements PlugIn {

    static final String COMMAND = "Settings";
    static final List<String> KEYS = Arrays.asList("model", "environment", "folder", "python", "checkpoint");
    static final String[] METHODS = {"micromamba", "uv", "existing"};

    @Override
    public void run(String arg) {
        String macroOptions = Macro.getOptions();
        try {
            PluginSettings current = PluginSettings.load();
            MacroOptions options = macroOptions != null
                    ? MacroOptions.parse(macroOptions).requireKnown(KEYS, COMMAND) : dialog(current);
            if (options == null) return;
            PluginSettings changed = apply(current, options);
            changed.save();
            if (!sameEnvironment(current, changed)) SamRoi.restart();
            IJ.showStatus("SAM ROI: settings saved (" + changed.describe() + ")");
            if (macroOptions == null && Recorder.record) {
                new OptionList().put("model", changed.model()).put("environment", methodName(changed.method()))
                        .put("folder", changed.location()).putIfGiven("python", str(changed.python()))
                        .put("checkpoint", str(changed.checkpoint())).record();
            }
        } catch (SamException e) {
            Feedback.error(e);
        }
    }

    /** settings with what options change; checks names and files. */
    static PluginSettings apply(PluginSettings settings, MacroOptions options) throws SamException {
        PluginSettings s = settings;
        if (options.has("model")) {
            try {
                s = s.withModel(options.get("model", "").trim());
            } catch (IllegalArgumentException e) {
                throw new UnknownModelException(options.get("model", ""), e.getMessage());
            }
        }
        if (options.has("environment")) s = s.withMethod(method(options.get("environment", "")));
        if (options.has("folder")) s = s.withLocation(path(options.get("folder", "")));
        if (options.has("python")) s = s.withPython(path(options.get("python", "")));
        if (options.has("checkpoint")) {
            Path checkpoint = path(options.get("checkpoint", ""));
            if (checkpoint != null && !Files.isRegularFile(checkpoint)) {
                throw new SamException("The checkpoint file " + checkpoint + " does not exist.",
                        "Choose an existing checkpoint file, or none to use the official weights.");
            }
            s = s.withCheckpoint(checkpoint);
        }
        if (s.method() == InstallMethod.EXISTING_PYTHON && s.python() == null) {
            throw new SamException("environment=existing needs the Python to use.",
                    "Add python=[PATH] (a python executable or the folder of its environment).");
        }
        return s;
    }

    static InstallMethod method(String name) throws SamException {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "micromamba":
                return InstallMethod.MICROMAMBA;
            case "uv":
                return InstallMethod.UV;
            case "existing":
            case "existing_python":
                return InstallMethod.EXISTING_PYTHON;
            default:
                throw new SamException("Unknown environment '" + name + "'.",
                        "Use environment=micromamba, environment=uv or environment=existing.");
        }
    }

    static String methodName(InstallMethod method) {
        return method == InstallMethod.EXISTING_PYTHON ? "existing" : method.name().toLowerCase(Locale.ROOT);
    }

    private static boolean sameEnvironment(PluginSettings a, PluginSettings b) {
        return a.method() == b.method() && a.location().equals(b.location()) && Objects.equals(a.python(), b.python());
    }

    private static Path path(String text) {
        return text == null || text.trim().isEmpty() ? null : Paths.get(text.trim());
    }

    private static String str(Path p) {
        return p == null ? "" : p.toString();
    }

    private static MacroOptions dialog(PluginSettings s) throws SamException {
        GenericDialog gd = new GenericDialog("SAM ROI: Settings");
        gd.addChoice("Model", PluginSettings.MODELS, s.model());
        gd.addChoice("Python environment", METHODS, methodName(s.method()));
        gd.addDirectoryField("Environment folder", s.location().toString(), 30);
        gd.addFileField("Existing Python", str(s.python()), 30);
        gd.addFileField("Checkpoint (optional)", str(s.checkpoint()), 30);
        gd.addMessage("micromamba / uv: samroi installs its own Python (Install Model does it).\n"
                + "existing: a Python with samroi installed in it (pip install samroi).\n"
                + "Checkpoint: a file to use instead of the official weights of the model.");
        gd.showDialog();
        if (gd.wasCanceled()) return null;
        return new OptionList().put("model", gd.getNextChoice()).put("environment", gd.getNextChoice())
                .put("folder", gd.getNextString().trim()).put("python", gd.getNextString().trim())
                .put("checkpoint", gd.getNextString().trim()).toOptions();
    }
}
