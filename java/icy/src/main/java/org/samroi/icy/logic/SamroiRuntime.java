package org.samroi.icy.logic;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.samroi.core.SamException;
import org.samroi.core.SamSession;
import org.samroi.core.env.EnvironmentInstaller;
import org.samroi.core.env.PythonEnvironment;

/**
 * The one per-JVM holder of the Icy plugin: settings, the worker session (one per Icy, shared
 * by the annotator, batch runs and Protocols blocks) and the plugin's single windows.
 *
 * <p>
 * The worker's Python is, in this order: an existing Python given with the system property
 * {@code samroi.python} (e.g. {@code -Dsamroi.python=/path/to/python} in Icy's launcher), one
 * chosen in the settings, or the environment samroi installs (micromamba or uv).
 */
public final class SamroiRuntime {

    /** System property naming an existing Python with samroi (wins over the settings). */
    public static final String PYTHON_PROPERTY = "samroi.python";

    private static final SamroiRuntime INSTANCE = new SamroiRuntime(Settings.user());

    private final Settings settings;
    private final Map<Class<?>, Object> singles = new HashMap<>();
    private PythonEnvironment environment;
    private SegmentService service;

    SamroiRuntime(Settings settings) {
        this.settings = settings;
    }

    public static SamroiRuntime get() {
        return INSTANCE;
    }

    public Settings settings() {
        return settings;
    }

    /** An installer for the environment samroi manages (method from the settings). */
    public EnvironmentInstaller installer() {
        return new EnvironmentInstaller().method(settings.installMethod());
    }

    /**
     * The Python the worker runs in (see the class notes), without installing anything.
     *
     * @throws SamException if samroi's environment is not installed (EnvironmentMissingException)
     */
    public PythonEnvironment environment() throws SamException {
        String property = System.getProperty(PYTHON_PROPERTY);
        if (property != null && !property.trim().isEmpty()) return PythonEnvironment.existing(Paths.get(property.trim()));
        Path python = settings.python();
        if (python != null) return PythonEnvironment.existing(python);
        return installer().load();
    }

    /**
     * The segmentation service: the running one, or a new one on {@link #environment()} (after
     * {@link #restart()}, e.g. when the Python was changed, the environment is looked up again).
     */
    public synchronized SegmentService service() throws SamException {
        if (service != null) return service;
        return service(environment());
    }

    /** The segmentation service on a session for env (the running one when it uses the same Python). */
    public synchronized SegmentService service(PythonEnvironment env) {
        if (service != null && !sameEnvironment(env, environment)) {
            service.close();
            service.session().close();
            service = null;
        }
        if (service == null) {
            service = new SegmentService(new SamSession(env));
            environment = env;
        }
        return service;
    }

    /** The running service, or null (nothing started yet): for cancel and status. */
    public synchronized SegmentService runningService() {
        return service;
    }

    /** Stop the worker (e.g. after the Python was changed); the next call starts a new one. */
    public synchronized void restart() {
        if (service != null) {
            service.close();
            service.session().close();
            service = null;
            environment = null;
        }
    }

    /** The one instance of type in this Icy (e.g. the annotator window), made by create on first use. */
    public synchronized <T> T single(Class<T> type, Supplier<T> create) {
        Object o = singles.get(type);
        if (o == null) {
            o = create.get();
            singles.put(type, o);
        }
        return type.cast(o);
    }

    /** Forget the single instance of its type (the window was closed). */
    public synchronized void forget(Object instance) {
        singles.values().removeIf(o -> o == instance);
    }

    private static boolean sameEnvironment(PythonEnvironment a, PythonEnvironment b) {
        return b != null && a.python().equals(b.python()) && a.workerCommand().equals(b.workerCommand());
    }
}
