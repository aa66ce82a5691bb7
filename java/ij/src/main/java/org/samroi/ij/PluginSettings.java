package org.samroi.ij;

import ij.Prefs;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import org.samroi.core.EnvironmentMissingException;
import org.samroi.core.ImageOptions;
import org.samroi.core.SamException;
import org.samroi.core.env.EnvironmentInstaller;
import org.samroi.core.env.InstallMethod;
import org.samroi.core.env.PythonEnvironment;

/**
 * The plugin's settings: the model, where its Python comes from, and an optional checkpoint
 * file used instead of the installed official weights. Immutable; change with the
 * {@code with...} methods and {@link #save()}.
 *
 * <p>Stored in ImageJ's preferences (IJ_Prefs.txt) under keys starting with {@code samroi.}.
 * Java system properties override the stored values, for tests and administrators:
 *
 * <pre>
 *   -Dsamroi.model=mobilesam          the model
 *   -Dsamroi.python=/usr/bin/python3  use this existing Python (samroi importable in it)
 *   -Dsamroi.env=/opt/samroi/env      the managed environment folder
 *   -Dsamroi.checkpoint=FILE          this checkpoint instead of the official weights
 * </pre>
 */
public final class PluginSettings {

    static final String PREFIX = "samroi.";
    static final String MODEL = "model";
    static final String METHOD = "environment.method";
    static final String LOCATION = "environment.location";
    static final String PYTHON = "python";
    static final String CHECKPOINT = "checkpoint";

    /** The models samroi can run, in menu order. */
    public static final String[] MODELS = {"efficientsam-ti", "efficientsam-s", "mobilesam"};

    private final String model;
    private final InstallMethod method;
    private final Path location;
    private final Path python;
    private final Path checkpoint;

    private PluginSettings(String model, InstallMethod method, Path location, Path python, Path checkpoint) {
        this.model = model;
        this.method = method;
        this.location = location;
        this.python = python;
        this.checkpoint = checkpoint;
    }

    /** The saved settings, overridden by the samroi.* system properties that are set. */
    public static PluginSettings load() {
        String model = value(MODEL, ImageOptions.DEFAULT_MODEL);
        InstallMethod method = parseMethod(value(METHOD, InstallMethod.MICROMAMBA.name()));
        String location = value(LOCATION, "");
        String python = value(PYTHON, "");
        String checkpoint = value(CHECKPOINT, "");
        // Naming a Python by system property means: use it, whatever the stored method.
        if (!System.getProperty(PREFIX + PYTHON, "").isEmpty()) method = InstallMethod.EXISTING_PYTHON;
        String envProperty = System.getProperty(EnvironmentInstaller.LOCATION_PROPERTY, "");
        if (!envProperty.isEmpty()) location = envProperty;
        return new PluginSettings(model, method, path(location), path(python), path(checkpoint));
    }

    /** Store these settings in ImageJ's preferences (written to disk when ImageJ quits). */
    public void save() {
        Prefs.set(PREFIX + MODEL, model);
        Prefs.set(PREFIX + METHOD, method.name());
        Prefs.set(PREFIX + LOCATION, location == null ? "" : location.toString());
        Prefs.set(PREFIX + PYTHON, python == null ? "" : python.toString());
        Prefs.set(PREFIX + CHECKPOINT, checkpoint == null ? "" : checkpoint.toString());
    }

    public PluginSettings withModel(String model) {
        return new PluginSettings(checkModel(model), method, location, python, checkpoint);
    }

    public PluginSettings withMethod(InstallMethod method) {
        return new PluginSettings(model, method, location, python, checkpoint);
    }

    /** The managed environment folder; null: the default one. */
    public PluginSettings withLocation(Path location) {
        return new PluginSettings(model, method, location, python, checkpoint);
    }

    /** An existing Python (executable, command or environment folder), used with EXISTING_PYTHON. */
    public PluginSettings withPython(Path python) {
        return new PluginSettings(model, method, location, python, checkpoint);
    }

    /** A checkpoint file for the model instead of the installed official weights; null: the official weights. */
    public PluginSettings withCheckpoint(Path checkpoint) {
        return new PluginSettings(model, method, location, python, checkpoint);
    }

    public String model() {
        return model;
    }

    public InstallMethod method() {
        return method;
    }

    /** The managed environment folder (the default one when none was chosen). */
    public Path location() {
        return location != null ? location : EnvironmentInstaller.defaultLocation();
    }

    /** The existing Python, or null. */
    public Path python() {
        return python;
    }

    /** The checkpoint file, or null for the installed official weights. */
    public Path checkpoint() {
        return checkpoint;
    }

    /** The image options of these settings: the model and the checkpoint. */
    public ImageOptions imageOptions() {
        return ImageOptions.defaults().withModel(model).withCheckpoint(checkpoint);
    }

    /** An installer for the environment these settings describe (nothing is installed yet). */
    public EnvironmentInstaller installer() {
        EnvironmentInstaller installer = new EnvironmentInstaller().location(location());
        if (method == InstallMethod.EXISTING_PYTHON) {
            if (python != null) installer.existingPython(python);
            else installer.method(InstallMethod.EXISTING_PYTHON);
        } else {
            installer.method(method);
        }
        return installer;
    }

    /**
     * The Python the worker runs in, without installing or starting anything. An existing Python
     * is taken as it is (the worker checks its samroi version when it starts); a managed
     * environment must be installed.
     *
     * @throws EnvironmentMissingException if no Python was chosen or the environment is not installed
     */
    public PythonEnvironment environment() throws SamException {
        if (method == InstallMethod.EXISTING_PYTHON) {
            if (python == null) {
                throw new EnvironmentMissingException("No Python was chosen for samroi.",
                        "Choose one in Plugins > Segmentation > SAM ROI > Settings, or let samroi install its own.", null);
            }
            return PythonEnvironment.existing(python);
        }
        return installer().load();
    }

    /** One line for the About box and the log. */
    public String describe() {
        String env = method == InstallMethod.EXISTING_PYTHON ? "existing Python " + python
                : method.name().toLowerCase(Locale.ROOT) + " environment in " + location();
        return "model " + model + (checkpoint == null ? "" : " (checkpoint " + checkpoint + ")") + "; " + env;
    }

    @Override
    public String toString() {
        return "PluginSettings[" + describe() + "]";
    }

    /** model, or an IllegalArgumentException naming the models samroi knows. */
    static String checkModel(String model) {
        for (String m : MODELS) {
            if (m.equals(model)) return m;
        }
        throw new IllegalArgumentException("Unknown model '" + model + "': samroi knows " + String.join(", ", MODELS) + ".");
    }

    private static String value(String key, String fallback) {
        String property = System.getProperty(PREFIX + key, "");
        if (!property.isEmpty()) return property;
        String stored = Prefs.get(PREFIX + key, fallback);
        return stored == null ? fallback : stored.trim();
    }

    private static Path path(String text) {
        return text == null || text.trim().isEmpty() ? null : Paths.get(text.trim());
    }

    private static InstallMethod parseMethod(String name) {
        try {
            return InstallMethod.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return InstallMethod.MICROMAMBA;
        }
    }
}
