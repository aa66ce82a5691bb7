package org.samroi.core;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Where things are for the tests (system properties set by Surefire, see java/core/pom.xml). */
public final class TestSupport {

    private TestSupport() {
    }

    /** The repository root (pyproject.toml, python/samroi). */
    public static Path repo() {
        return Paths.get(System.getProperty("samroi.root", "../..")).toAbsolutePath().normalize();
    }

    /** ../shared beside the repository. */
    public static Path shared() {
        return Paths.get(System.getProperty("samroi.shared", repo().resolve("../shared").toString())).toAbsolutePath()
                .normalize();
    }

    public static Path devData() {
        return shared().resolve("data").resolve("dev");
    }

    /** The Python with samroi installed (editable) used by the existing-Python tests. */
    public static Path python() {
        return Paths.get(System.getProperty("samroi.python", "python3"));
    }

    /**
     * A Python without samroi, or null where the machine has none: a script running the system
     * /usr/bin/python3 in isolated mode (-I), because Surefire's PYTHONPATH makes samroi
     * importable from any other interpreter.
     */
    public static Path pythonWithoutSamroi(Path folder) throws IOException, InterruptedException {
        Path system = Paths.get("/usr/bin/python3");
        if (!Files.isExecutable(system)) {
            return null;
        }
        Path script = folder.resolve("python-without-samroi");
        Files.write(script, ("#!/bin/sh\nexec " + system + " -I \"$@\"\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (!script.toFile().setExecutable(true)) {
            return null;
        }
        Process p = new ProcessBuilder(script.toString(), "-c", "import samroi").redirectErrorStream(true).start();
        return p.waitFor() != 0 ? script : null;
    }

    /** A folder kept between test runs for downloads (uv binary, uv's package cache). */
    public static Path cache() throws IOException {
        Path dir = Paths.get(System.getProperty("samroi.test.cache",
                System.getProperty("user.home") + File.separator + ".cache" + File.separator + "samroi-test"));
        Files.createDirectories(dir);
        return dir;
    }

    /** Names of the POSIX shared-memory segments appose creates (psm_*), empty where there is no /dev/shm. */
    public static Set<String> shmSegments() throws IOException {
        Path shm = Paths.get("/dev/shm");
        if (!Files.isDirectory(shm)) return Collections.emptySet();
        try (Stream<Path> s = Files.list(shm)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("psm_"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** SIGKILL a process by id (Java 8 has no ProcessHandle). */
    public static void kill(long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-9", Long.toString(pid)).redirectErrorStream(true).start();
        p.waitFor();
    }

    public static boolean isAlive(long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-0", Long.toString(pid)).redirectErrorStream(true).start();
        return p.waitFor() == 0;
    }

    public static boolean isLinux() {
        return System.getProperty("os.name", "").toLowerCase().startsWith("linux");
    }
}
