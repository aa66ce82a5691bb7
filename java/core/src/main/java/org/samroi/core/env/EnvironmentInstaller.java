package org.samroi.core.env;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

import org.apposed.appose.Types;
import org.apposed.appose.Appose;
import org.apposed.appose.Builder;
import org.samroi.core.EnvironmentInstallException;
import org.samroi.core.EnvironmentMissingException;
import org.samroi.core.ProgressEvent;
import org.samroi.core.ProgressListener;
import org.samroi.core.SamCancelledException;
import org.samroi.core.SamException;
import org.samroi.core.SamroiBuild;
import org.samroi.core.VersionMismatchException;

/**
 * Makes the Python environment the samroi worker runs in, with appose's tools: micromamba
 * (default), uv, or a Python the user already has.
 *
 * <p>
 * A managed environment is a folder (default {@link #defaultLocation()}) laid out as:
 *
 * <pre>
 *   .samroi-env        marks the folder as samroi's (only such folders are ever wiped)
 *   python/            the virtual environment (uv) or conda prefix (micromamba)
 *   ready.properties   written last, after a successful install and smoke test: samroi
 *                      version + SHA-256 of the Python sources shipped in this jar
 *   install.log        output of the last install
 *   environment.yml    (micromamba) the environment file used
 * </pre>
 *
 * An environment without a valid ready.properties (failed or interrupted install, other samroi
 * version) is never used; the next {@link #install()} wipes python/ and rebuilds it. The samroi
 * package installed is always the one shipped inside this jar ({@link ShippedPython}).
 *
 * <p>
 * The environment contains only what the onnxruntime runtime needs: samroi's own dependencies
 * (pyproject.toml; no torch) and appose at the version of the Java appose.
 */
public final class EnvironmentInstaller {

    /** System property that moves the default environment folder. */
    public static final String LOCATION_PROPERTY = "samroi.env";
    /** Environment variable that moves all of samroi's files (as in the Python package). */
    public static final String HOME_VARIABLE = "SAMROI_HOME";
    /** Python version of managed environments unless set with {@link #pythonVersion(String)}. */
    public static final String DEFAULT_PYTHON_VERSION = "3.11";

    static final String OWNER_FILE = ".samroi-env";
    static final String MARKER_FILE = "ready.properties";
    static final String PREFIX_DIR = "python";
    static final String SOURCES_DIR = "src";
    static final String LOG_FILE = "install.log";
    static final String ENVIRONMENT_FILE = "environment.yml";
    private static final String SOURCE = "install";
    private static final int STEPS = 5;

    private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    private Path location;
    private InstallMethod method = InstallMethod.MICROMAMBA;
    private Path existingPython;
    private Path toolsDirectory;
    private Path uvExecutable;
    private Path uvCacheDirectory;
    private String pythonVersion = DEFAULT_PYTHON_VERSION;
    private ProgressListener listener = ProgressListener.NONE;

    /** An installer for the default location, with micromamba. */
    public EnvironmentInstaller() {
        this.location = defaultLocation();
    }

    // --- configuration ---------------------------------------------------------------------

    /**
     * samroi's per-user data folder: $SAMROI_HOME if set; otherwise ~/.local/share/samroi
     * (Linux, or $XDG_DATA_HOME/samroi), ~/Library/Application Support/samroi (macOS),
     * %LOCALAPPDATA%\samroi (Windows); the same folder the Python package uses.
     */
    public static Path defaultDataDirectory() {
        String home = System.getenv(HOME_VARIABLE);
        if (home != null && !home.isEmpty()) return Paths.get(home);
        String user = System.getProperty("user.home");
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.startsWith("windows")) {
            String local = System.getenv("LOCALAPPDATA");
            return (local != null && !local.isEmpty() ? Paths.get(local) : Paths.get(user, "AppData", "Local"))
                    .resolve("samroi");
        }
        if (os.startsWith("mac") || os.startsWith("darwin")) {
            return Paths.get(user, "Library", "Application Support", "samroi");
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        return (xdg != null && !xdg.isEmpty() ? Paths.get(xdg) : Paths.get(user, ".local", "share")).resolve("samroi");
    }

    /** The default environment folder: the system property samroi.env, else (data folder)/env. */
    public static Path defaultLocation() {
        String prop = System.getProperty(LOCATION_PROPERTY);
        if (prop != null && !prop.isEmpty()) return Paths.get(prop);
        return defaultDataDirectory().resolve("env");
    }

    /** The environment folder (for MICROMAMBA and UV). */
    public EnvironmentInstaller location(Path folder) {
        this.location = folder.toAbsolutePath().normalize();
        return this;
    }

    public EnvironmentInstaller method(InstallMethod method) {
        this.method = method;
        return this;
    }

    /**
     * Use a Python the user already has (executable, command on the PATH, or environment
     * folder) with samroi importable in it; sets the method to EXISTING_PYTHON.
     */
    public EnvironmentInstaller existingPython(Path pythonOrEnvironment) {
        this.existingPython = pythonOrEnvironment;
        this.method = InstallMethod.EXISTING_PYTHON;
        return this;
    }

    /** Where downloaded tools (uv, micromamba, uv-managed Pythons) go; default (data folder)/tools. */
    public EnvironmentInstaller toolsDirectory(Path folder) {
        this.toolsDirectory = folder;
        return this;
    }

    /** Use this uv executable instead of downloading uv from PyPI. */
    public EnvironmentInstaller uvExecutable(Path uv) {
        this.uvExecutable = uv;
        return this;
    }

    /** uv's package cache (default: uv's own per-user cache). */
    public EnvironmentInstaller uvCacheDirectory(Path folder) {
        this.uvCacheDirectory = folder;
        return this;
    }

    /** Python version of a managed environment, e.g. "3.11". */
    public EnvironmentInstaller pythonVersion(String version) {
        this.pythonVersion = version;
        return this;
    }

    /** Receives progress steps and every output line of the install. */
    public EnvironmentInstaller listener(ProgressListener listener) {
        this.listener = listener == null ? ProgressListener.NONE : listener;
        return this;
    }

    public Path location() {
        return location;
    }

    public InstallMethod method() {
        return method;
    }

    Path tools() {
        return toolsDirectory != null ? toolsDirectory : defaultDataDirectory().resolve("tools");
    }

    // --- status ----------------------------------------------------------------------------

    /** The state of the managed environment folder (for EXISTING_PYTHON: READY or MISSING by file presence). */
    public EnvironmentStatus status() {
        if (method == InstallMethod.EXISTING_PYTHON) {
            return existingPython != null && Files.isRegularFile(PythonEnvironment.resolvePython(existingPython))
                    ? EnvironmentStatus.READY : EnvironmentStatus.MISSING;
        }
        return statusOf(location);
    }

    static EnvironmentStatus statusOf(Path root) {
        if (!Files.isDirectory(root)) return EnvironmentStatus.MISSING;
        if (!Files.isRegularFile(root.resolve(OWNER_FILE))) {
            return isEmpty(root) ? EnvironmentStatus.MISSING : EnvironmentStatus.FOREIGN;
        }
        Properties marker = readMarker(root);
        if (marker == null) {
            return Files.exists(root.resolve(PREFIX_DIR)) ? EnvironmentStatus.INCOMPLETE : EnvironmentStatus.MISSING;
        }
        String sha;
        try {
            sha = ShippedPython.sha256();
        } catch (IOException e) {
            return EnvironmentStatus.OUTDATED;
        }
        if (!SamroiBuild.version().equals(marker.getProperty("samroi.version"))
                || !sha.equals(marker.getProperty("sources.sha256"))) {
            return EnvironmentStatus.OUTDATED;
        }
        String python = marker.getProperty("python");
        if (python == null || !Files.isRegularFile(root.resolve(python))) return EnvironmentStatus.INCOMPLETE;
        return EnvironmentStatus.READY;
    }

    /**
     * The ready environment, without installing anything.
     *
     * @throws EnvironmentMissingException if it is not installed, incomplete or outdated
     * @throws SamException for EXISTING_PYTHON, if that Python cannot run the worker
     */
    public PythonEnvironment load() throws SamException {
        if (method == InstallMethod.EXISTING_PYTHON) return checkExisting();
        EnvironmentStatus status = statusOf(location);
        switch (status) {
            case READY:
                return managed(readMarker(location));
            case FOREIGN:
                throw foreign();
            case INCOMPLETE:
                throw new EnvironmentMissingException("The samroi Python environment in " + location
                        + " is incomplete (an installation failed or was interrupted).",
                        "Install it again (samroi > Install Python environment); samroi repairs it.", location);
            case OUTDATED:
                throw new EnvironmentMissingException("The samroi Python environment in " + location
                        + " belongs to another samroi version.",
                        "Install it again (samroi > Install Python environment) to update it.", location);
            default:
                throw new EnvironmentMissingException("The samroi Python environment is not installed (" + location + ").",
                        "Install it (samroi > Install Python environment). It needs an internet connection and "
                                + "about 500 MB of disk space.", location);
        }
    }

    /**
     * What a micromamba install runs; writes environment.yml into the environment folder.
     * appose 0.7.0 keeps micromamba in ~/.local/share/appose/micromamba (not configurable) and
     * passes micromamba an identical copy of the environment file from a temporary folder next
     * to the prefix.
     */
    public MicromambaPlan micromambaPlan() throws IOException {
        Files.createDirectories(location);
        Path yml = location.resolve(ENVIRONMENT_FILE);
        writeAtomically(yml, environmentYaml().getBytes(StandardCharsets.UTF_8));
        Path micromamba = micromambaExecutable();
        Path prefix = location.resolve(PREFIX_DIR);
        // The arguments appose's Mamba.createWithYaml passes (appose 0.7.0).
        List<String> create = Arrays.asList(micromamba.toString(), "env", "create", "--prefix",
                prefix.toAbsolutePath().toString(), "-f", yml.toString(), "-y", "-vv", "--no-rc");
        return new MicromambaPlan(yml, micromamba, micromambaUrl(), create,
                pipInstallCommand(PythonEnvironment.pythonIn(prefix), location.resolve(SOURCES_DIR)));
    }

    /** Where appose 0.7.0 keeps micromamba. */
    static Path micromambaExecutable() {
        Path root = Paths.get(System.getProperty("user.home"), ".local", "share", "appose", "micromamba");
        return PythonEnvironment.isWindows() ? root.resolve("Library").resolve("bin").resolve("micromamba.exe")
                : root.resolve("bin").resolve("micromamba");
    }

    /** Where appose 0.7.0 downloads micromamba from (its Mamba.MICROMAMBA_URL). */
    static String micromambaUrl() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean arm = arch.equals("aarch64") || arch.equals("arm64");
        String platform = os.startsWith("windows") ? "win-64"
                : os.startsWith("mac") || os.startsWith("darwin") ? (arm ? "osx-arm64" : "osx-64")
                        : (arm ? "linux-aarch64" : "linux-64");
        return "https://micro.mamba.pm/api/micromamba/" + platform + "/latest";
    }

    /** The environment.yml text: the resource template with Python version and pip list filled in. */
    public String environmentYaml() throws IOException {
        String template;
        try (InputStream in = EnvironmentInstaller.class.getResourceAsStream(ENVIRONMENT_FILE)) {
            if (in == null) throw new IOException("environment.yml resource missing from the plugin");
            template = new String(ShippedPython.readAll(in), StandardCharsets.UTF_8);
        }
        StringBuilder pip = new StringBuilder();
        for (String req : requirements()) pip.append("      - ").append(req).append('\n');
        return template.replace("@PYTHON_VERSION@", pythonVersion)
                .replace("@PIP_REQUIREMENTS@\n", pip.toString()).replace("@PIP_REQUIREMENTS@", pip.toString());
    }

    /** What goes into the environment from PyPI besides samroi: its dependencies and appose. */
    public static List<String> requirements() throws IOException {
        List<String> reqs = new ArrayList<>(ShippedPython.dependencies());
        reqs.add("appose==" + SamroiBuild.apposeVersion());
        return reqs;
    }

    // --- install ---------------------------------------------------------------------------

    /** {@link #install()} on a background thread; cancelling the future stops the install. */
    public CompletableFuture<PythonEnvironment> installAsync() {
        CompletableFuture<PythonEnvironment> future = new CompletableFuture<>();
        Thread worker = new Thread(() -> {
            try {
                future.complete(install());
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        }, "samroi-install");
        worker.setDaemon(true);
        future.whenComplete((r, e) -> {
            if (future.isCancelled()) worker.interrupt();
        });
        worker.start();
        return future;
    }

    /**
     * Make sure the environment is ready and return it: nothing to do if it is READY;
     * otherwise (missing, incomplete, outdated) build it anew. For EXISTING_PYTHON, check that
     * the Python can run the worker. Blocks for minutes on a first install: not on a UI thread.
     *
     * @throws EnvironmentInstallException if a step fails (the log says why)
     * @throws SamCancelledException if the thread was interrupted
     */
    public PythonEnvironment install() throws SamException {
        if (method == InstallMethod.EXISTING_PYTHON) return checkExisting();
        ReentrantLock lock = LOCKS.computeIfAbsent(location, k -> new ReentrantLock());
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SamCancelledException("Installing the Python environment");
        }
        try {
            return installLocked();
        } finally {
            lock.unlock();
        }
    }

    @SuppressWarnings("try") // the file lock is held for the duration of the block
    private PythonEnvironment installLocked() throws SamException {
        EnvironmentStatus status = statusOf(location);
        if (status == EnvironmentStatus.READY) {
            progress("The samroi Python environment is ready", STEPS, STEPS);
            return managed(readMarker(location));
        }
        if (status == EnvironmentStatus.FOREIGN) throw foreign();
        Path logFile = location.resolve(LOG_FILE);
        try {
            Files.createDirectories(location);
            // The folder is new or empty (or already ours): claim it before anything else lands in it.
            if (!Files.isRegularFile(location.resolve(OWNER_FILE))) {
                writeAtomically(location.resolve(OWNER_FILE),
                        ("This folder is samroi's Python environment. It is safe to delete; samroi reinstalls it "
                                + "when needed.\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new EnvironmentInstallException("samroi cannot create the folder " + location + " (" + e.getMessage() + ").",
                    "Choose a folder you can write to.", null, null, e);
        }
        try (FileChannel lockChannel = FileChannel.open(location.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
                FileLock fileLock = lockChannel.lock();
                Writer log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8)) {
            // Another process may have finished the job while we waited for the lock.
            if (statusOf(location) == EnvironmentStatus.READY) return managed(readMarker(location));
            return build(status, log, logFile);
        } catch (IOException e) {
            throw new EnvironmentInstallException("Installing the samroi Python environment failed: " + e.getMessage(),
                    "Check the disk space and that " + location + " can be written, then try again.", logFile, null, e);
        }
    }

    private PythonEnvironment build(EnvironmentStatus status, Writer log, Path logFile) throws SamException, IOException {
        Path prefix = location.resolve(PREFIX_DIR);
        Path sources = location.resolve(SOURCES_DIR);
        String step = "Preparing";
        try {
            progress(status == EnvironmentStatus.MISSING ? "Preparing a new Python environment"
                    : "Repairing the Python environment (" + status.name().toLowerCase(Locale.ROOT) + ")", 0, STEPS);
            log(log, "samroi " + SamroiBuild.version() + " installing a " + method + " environment in " + location
                    + " (" + new Date() + "); previous state: " + status);
            // Order matters: the marker goes first, so that a crash from here on leaves no ready env.
            Files.deleteIfExists(location.resolve(MARKER_FILE));
            deleteTree(prefix);
            deleteTree(sources);
            deleteApposeWorkDirs();
            ShippedPython.extractTo(sources);
            String sha = ShippedPython.sha256();
            checkInterrupted();

            Path python;
            if (method == InstallMethod.UV) {
                step = "Getting uv";
                progress("Getting uv", 1, STEPS);
                Path uv = uvExecutable != null ? uvExecutable
                        : UvTool.ensure(tools(), line -> log(log, line), (m, c, max) -> progress(m, c, max));
                Map<String, String> env = uvEnvironment();
                step = "Creating the Python environment";
                progress("Creating the Python environment (uv)", 2, STEPS);
                run(log, Arrays.asList(uv.toString(), "venv", "--no-config", "--python", pythonVersion,
                        prefix.toString()), env, step);
                python = PythonEnvironment.pythonIn(prefix);
                step = "Installing packages";
                progress("Installing samroi and its packages (uv)", 3, STEPS);
                List<String> cmd = new ArrayList<>(Arrays.asList(uv.toString(), "pip", "install", "--no-config",
                        "--python", python.toString(), sources.toString()));
                cmd.add("appose==" + SamroiBuild.apposeVersion());
                run(log, cmd, env, step);
            } else {
                MicromambaPlan plan = micromambaPlan();
                step = "Creating the Python environment";
                progress("Creating the Python environment (micromamba; downloads micromamba first if needed)", 1, STEPS);
                log(log, "$ " + String.join(" ", plan.createCommand()));
                if (!Files.isRegularFile(plan.micromamba())) checkReachable(plan.micromambaUrl(), "micromamba");
                Builder builder = Appose.file(plan.environmentFile().toFile(), "environment.yml");
                builder.subscribeOutput(text -> logLines(log, text));
                builder.subscribeError(text -> logLines(log, text));
                builder.subscribeProgress((title, cur, max) -> progress(title, cur, max));
                try {
                    builder.build(prefix.toFile());
                } catch (IOException | RuntimeException e) {
                    if (causedByInterrupt(e)) throw new InterruptedException();
                    if (e instanceof IllegalArgumentException && String.valueOf(e.getMessage()).startsWith("Not a directory")) {
                        // appose 0.7.0 hides micromamba's failure behind this cleanup error
                        throw new IOException("micromamba could not create the environment (details in the log)", e);
                    }
                    throw e;
                } finally {
                    deleteApposeWorkDirs();
                }
                python = PythonEnvironment.pythonIn(prefix);
                step = "Installing samroi";
                progress("Installing samroi", 3, STEPS);
                run(log, plan.samroiInstallCommand(), null, step);
            }
            checkInterrupted();

            step = "Checking the environment";
            progress("Checking the environment", 4, STEPS);
            PythonEnvironment env = new PythonEnvironment(method, location, python, true);
            smokeTest(env, log);

            Properties marker = new Properties();
            marker.setProperty("samroi.version", SamroiBuild.version());
            marker.setProperty("sources.sha256", sha);
            marker.setProperty("method", method.name());
            marker.setProperty("python", location.relativize(python).toString().replace('\\', '/'));
            marker.setProperty("appose.version", SamroiBuild.apposeVersion());
            marker.setProperty("created", new Date().toString());
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            marker.store(bytes, "samroi environment: written only after a successful install and smoke test");
            writeAtomically(location.resolve(MARKER_FILE), bytes.toByteArray());
            deleteTree(sources);
            log(log, "Environment ready.");
            progress("The samroi Python environment is ready", STEPS, STEPS);
            return env;
        } catch (InterruptedException e) {
            log(log, "Installation cancelled during: " + step);
            throw new SamCancelledException("Installing the Python environment");
        } catch (SamException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                log(log, "Installation cancelled during: " + step);
                throw new SamCancelledException("Installing the Python environment");
            }
            log(log, "FAILED during " + step + ": " + e);
            throw new EnvironmentInstallException("Installing the samroi Python environment failed at step \"" + step
                    + "\": " + e.getMessage(), nextStepForFailure(), logFile, null, e);
        }
    }

    /** Fail early, with a clear reason, where a download site cannot be reached. */
    private static void checkReachable(String url, String what) throws IOException {
        try {
            java.net.HttpURLConnection c = (java.net.HttpURLConnection) new java.net.URL(url).openConnection();
            c.setRequestMethod("HEAD");
            c.setConnectTimeout(20_000);
            c.setReadTimeout(20_000);
            c.setInstanceFollowRedirects(true);
            int code = c.getResponseCode();
            c.disconnect();
            if (code >= 400) throw new IOException("HTTP " + code);
        } catch (IOException e) {
            throw new IOException("cannot download " + what + " from " + url + " (" + e + ")", e);
        }
    }

    /** appose leaves "python.NNNNNNNN.tmp" work folders next to the prefix when micromamba fails. */
    private void deleteApposeWorkDirs() {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(location, PREFIX_DIR + ".*.tmp")) {
            for (Path p : s) deleteTree(p);
        } catch (IOException e) {
            // leftovers are harmless
        }
    }

    private String nextStepForFailure() {
        return "Check the internet connection (and proxy settings), then run the installation again: samroi "
                + "repairs the environment. The full log is in " + location.resolve(LOG_FILE) + ".";
    }

    private void run(Writer log, List<String> cmd, Map<String, String> env, String step)
            throws IOException, InterruptedException, SamException {
        ProcessRunner.Result r = ProcessRunner.run(cmd, location, env, log,
                line -> ProgressListener.notify(listener, new ProgressEvent(ProgressEvent.Kind.LOG, SOURCE, line, 0, 0)),
                false);
        if (r.exitCode != 0) {
            throw new EnvironmentInstallException("Installing the samroi Python environment failed at step \"" + step
                    + "\" (exit code " + r.exitCode + ").", nextStepForFailure(), location.resolve(LOG_FILE), r.tail, null);
        }
    }

    private Map<String, String> uvEnvironment() {
        Map<String, String> env = new HashMap<>();
        if (uvCacheDirectory != null) env.put("UV_CACHE_DIR", uvCacheDirectory.toString());
        // Pythons uv downloads live with samroi's tools, not in the user's uv folder.
        env.put("UV_PYTHON_INSTALL_DIR", tools().resolve("uv-python").toString());
        // The environment must not depend on the cache staying in place.
        env.put("UV_LINK_MODE", "copy");
        env.put("UV_NO_PROGRESS", "1");
        return env;
    }

    static List<String> pipInstallCommand(Path python, Path sources) {
        return Arrays.asList(python.toString(), "-I", "-m", "pip", "install", "--no-deps", "--no-input",
                "--disable-pip-version-check", sources.toString());
    }

    /** Run the worker's environment check in env; returns its report. */
    private Map<String, Object> smokeTest(PythonEnvironment env, Writer log) throws SamException, IOException,
            InterruptedException {
        ProcessRunner.Result r = ProcessRunner.run(env.checkCommand(), env.workingDirectory(), null, log,
                line -> ProgressListener.notify(listener, new ProgressEvent(ProgressEvent.Kind.LOG, SOURCE, line, 0, 0)),
                true);
        Map<String, Object> report = null;
        if (r.exitCode == 0) {
            String[] lines = r.output.trim().split("\n");
            try {
                report = Types.decode(lines[lines.length - 1]);
            } catch (RuntimeException e) {
                report = null;
            }
        }
        if (report == null) {
            String where = env.root() != null ? "The samroi Python environment in " + env.root()
                    : "The Python " + env.python();
            throw new EnvironmentInstallException(where + " cannot run the samroi worker (the check failed).",
                    env.root() != null ? nextStepForFailure()
                            : "Install samroi and its dependencies into that Python, or let samroi install its own environment.",
                    env.root() != null ? location.resolve(LOG_FILE) : null, r.tail, null);
        }
        String version = String.valueOf(report.get("samroi"));
        if (!SamroiBuild.version().equals(version)) {
            throw new VersionMismatchException(SamroiBuild.version(), version, env.python().toString());
        }
        return report;
    }

    private PythonEnvironment checkExisting() throws SamException {
        if (existingPython == null) {
            throw new EnvironmentMissingException("No Python was chosen.", "Choose a Python executable or environment folder.", null);
        }
        PythonEnvironment env = PythonEnvironment.existing(existingPython);
        if (!Files.isRegularFile(env.python())) {
            throw new EnvironmentMissingException("No Python found at " + existingPython + ".",
                    "Choose the python executable (or its environment folder), or let samroi install its own environment.",
                    existingPython);
        }
        progress("Checking " + env.python(), 4, STEPS);
        try {
            Map<String, Object> report = smokeTest(env, null);
            progress("Python " + report.get("python") + " with samroi " + report.get("samroi") + " is ready", STEPS, STEPS);
            return env;
        } catch (IOException e) {
            throw new EnvironmentMissingException("The Python " + env.python() + " cannot be run (" + e.getMessage() + ").",
                    "Choose another Python, or let samroi install its own environment.", env.python(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SamCancelledException("Checking the Python environment");
        }
    }

    private PythonEnvironment managed(Properties marker) {
        return new PythonEnvironment(method(marker), location, location.resolve(marker.getProperty("python")), true);
    }

    private static InstallMethod method(Properties marker) {
        try {
            return InstallMethod.valueOf(marker.getProperty("method"));
        } catch (RuntimeException e) {
            return InstallMethod.MICROMAMBA;
        }
    }

    private EnvironmentMissingException foreign() {
        return new EnvironmentMissingException("The folder " + location
                + " already holds other files, so samroi will not install its Python environment there.",
                "Choose a new or empty folder for the samroi environment.", location);
    }

    /**
     * Delete the managed environment (only a folder samroi made).
     *
     * @throws IOException if the folder is not samroi's or cannot be deleted
     */
    public void delete() throws IOException {
        EnvironmentStatus status = statusOf(location);
        if (status == EnvironmentStatus.MISSING && !Files.exists(location)) return;
        if (status == EnvironmentStatus.FOREIGN) throw new IOException(location + " is not a samroi environment");
        Files.deleteIfExists(location.resolve(MARKER_FILE));
        deleteTree(location);
    }

    // --- helpers ---------------------------------------------------------------------------

    private void progress(String message, long current, long maximum) {
        ProgressListener.notify(listener, new ProgressEvent(ProgressEvent.Kind.PROGRESS, SOURCE, message, current, maximum));
    }

    private void log(Writer log, String line) {
        ProgressListener.notify(listener, new ProgressEvent(ProgressEvent.Kind.LOG, SOURCE, line, 0, 0));
        if (log == null) return;
        try {
            log.write(line + System.lineSeparator());
            log.flush();
        } catch (IOException e) {
            // the log is a convenience
        }
    }

    private void logLines(Writer log, String text) {
        if (text == null) return;
        for (String line : text.split("\r?\n")) {
            // appose marks micromamba's error lines with a UUID prefix
            String clean = UUID_PREFIX.matcher(line).replaceFirst("").trim();
            if (!clean.isEmpty()) log(log, clean);
        }
    }

    private static final java.util.regex.Pattern UUID_PREFIX = java.util.regex.Pattern
            .compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private static boolean causedByInterrupt(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof InterruptedException) return true;
        }
        return Thread.currentThread().isInterrupted();
    }

    private static void checkInterrupted() throws InterruptedException {
        if (Thread.currentThread().isInterrupted()) throw new InterruptedException();
    }

    static Properties readMarker(Path root) {
        Path file = root.resolve(MARKER_FILE);
        if (!Files.isRegularFile(file)) return null;
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
        return p.getProperty("samroi.version") != null && p.getProperty("python") != null ? p : null;
    }

    static void writeAtomically(Path file, byte[] content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            out.write(content);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static boolean isEmpty(Path dir) {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            return !s.iterator().hasNext();
        } catch (IOException e) {
            return false;
        }
    }

    /** Delete a folder tree without following links. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
        Files.walkFileTree(root, new SimpleFileVisitor<Path>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void delete(Path p) throws IOException {
        try {
            Files.deleteIfExists(p);
        } catch (NoSuchFileException e) {
            // gone already
        } catch (IOException e) {
            p.toFile().setWritable(true); // read-only files on Windows
            Files.deleteIfExists(p);
        }
    }
}
