package org.samroi.core.env;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A Python that can run the samroi worker: its executable, and how to launch the worker with
 * it. Obtained from {@link EnvironmentInstaller#install()} or {@link EnvironmentInstaller#load()},
 * or made directly for a Python the user names with {@link #existing(Path)}.
 */
public final class PythonEnvironment {

    /** The one-line program that runs the worker loop. */
    static final String SERVE = "import samroi.worker as _w; _w.serve()";
    /** The one-line program of the environment smoke test (prints one JSON line). */
    static final String CHECK = "import sys, samroi.worker as _w; sys.exit(_w.main(['--check']))";

    private final InstallMethod method;
    private final Path root;
    private final Path python;
    private final boolean isolated;

    PythonEnvironment(InstallMethod method, Path root, Path python, boolean isolated) {
        this.method = method;
        this.root = root;
        this.python = python;
        this.isolated = isolated;
    }

    /**
     * A Python the user already has: a python executable, a command on the PATH (e.g.
     * "python3"), or the folder of a virtual or conda environment. samroi must be importable
     * in it (with its dependencies and appose). Nothing is checked here; see
     * {@link EnvironmentInstaller#install()} for the check.
     */
    public static PythonEnvironment existing(Path pythonOrEnvironment) {
        return new PythonEnvironment(InstallMethod.EXISTING_PYTHON, null, resolvePython(pythonOrEnvironment), false);
    }

    /** How the environment was made. */
    public InstallMethod method() {
        return method;
    }

    /** The managed environment folder (null for an existing Python). */
    public Path root() {
        return root;
    }

    /** The Python executable. */
    public Path python() {
        return python;
    }

    /** The command that runs the samroi worker (appose's worker loop) in this Python. */
    public List<String> workerCommand() {
        return command(SERVE);
    }

    /** The command of the smoke test: imports everything the worker needs, prints versions. */
    public List<String> checkCommand() {
        return command(CHECK);
    }

    private List<String> command(String program) {
        List<String> cmd = new ArrayList<>();
        cmd.add(python.toString());
        // A managed environment ignores PYTHONPATH, PYTHONHOME and the user's site-packages, so that
        // nothing on the computer can shadow its packages. A user's own Python keeps them.
        if (isolated) cmd.add("-I");
        cmd.add("-c");
        cmd.add(program);
        return cmd;
    }

    /** Where the worker process runs (a folder without Python modules in it). */
    public Path workingDirectory() {
        if (root != null) return root;
        Path parent = python.toAbsolutePath().getParent();
        return parent != null ? parent : Paths.get(System.getProperty("java.io.tmpdir"));
    }

    @Override
    public String toString() {
        return method + " Python " + python + (root == null ? "" : " (environment " + root + ")");
    }

    static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    }

    /** The python executable inside a virtual or conda environment folder. */
    static Path pythonIn(Path prefix) {
        List<Path> candidates = isWindows()
                ? Arrays.asList(prefix.resolve("python.exe"), prefix.resolve("Scripts").resolve("python.exe"))
                : Arrays.asList(prefix.resolve("bin").resolve("python"), prefix.resolve("bin").resolve("python3"));
        for (Path p : candidates) {
            if (Files.isRegularFile(p)) return p;
        }
        return candidates.get(0);
    }

    static Path resolvePython(Path given) {
        if (Files.isDirectory(given)) return pythonIn(given);
        if (given.getNameCount() == 1 && given.getParent() == null && !Files.exists(given)) {
            // A bare command name: look it up on the PATH.
            String path = System.getenv("PATH");
            if (path != null) {
                for (String dir : path.split(File.pathSeparator)) {
                    if (dir.isEmpty()) continue;
                    for (String suffix : isWindows() ? new String[] { ".exe", "" } : new String[] { "" }) {
                        Path candidate = Paths.get(dir, given.toString() + suffix);
                        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate;
                    }
                }
            }
        }
        return given;
    }
}
