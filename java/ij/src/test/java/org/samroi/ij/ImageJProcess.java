package org.samroi.ij;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ij.IJ;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Plain ImageJ as a user starts it: {@code xvfb-run -a java -Dplugins.dir=LAYOUT -jar ij.jar
 * -batch macro.ijm}, with the plugin installed as `mvn package` lays it out for plain ImageJ
 * (target/layouts/imagej: plugins/samroi_ij-*.jar + plugins/jars/). The worker uses the Python
 * of samroi.python (importing samroi from this checkout) and the fixture checkpoint, both given
 * as the system properties an administrator would set.
 */
final class ImageJProcess {

    private ImageJProcess() {
    }

    /** The ImageJ folder of the plain-ImageJ layout made by `mvn package`. */
    static Path layout() {
        Path layouts = Paths.get(System.getProperty("samroi.layouts", "target/layouts"));
        Path imagej = layouts.resolve("imagej");
        assertTrue(Files.isDirectory(imagej.resolve("plugins")), "no plain-ImageJ layout at " + imagej
                + " (run `mvn package` first; integration tests run after it)");
        return imagej;
    }

    /** ij.jar as Maven fetched it (the one on the test class path). */
    static Path ijJar() throws URISyntaxException {
        return Paths.get(IJ.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /**
     * Run macro with `ij.jar -batch` under Xvfb; returns its console output (stdout and stderr).
     * A macro error in ImageJ opens a dialog that waits for a click, so a broken test macro
     * ends by the timeout.
     */
    static String runBatch(Path workDir, String name, int timeoutSeconds, String macro, String... jvmOptions)
            throws Exception {
        Path file = workDir.resolve(name + ".ijm");
        Files.write(file, macro.getBytes(StandardCharsets.UTF_8));
        // timeout(1) ends ImageJ itself: killing xvfb-run would leave its java child running.
        List<String> command = new ArrayList<>(Arrays.asList("xvfb-run", "-a", "timeout", "-k", "5",
                Integer.toString(timeoutSeconds), "java", "-Xmx4g",
                "-Dplugins.dir=" + layout(), "-Dsamroi.python=" + IjTests.python(),
                "-Dsamroi.checkpoint=" + IjTests.checkpoint()));
        command.addAll(Arrays.asList(jvmOptions));
        command.addAll(Arrays.asList("-jar", ijJar().toString(), "-batch", file.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("PYTHONPATH", IjTests.repo().resolve("python").toString());
        builder.environment().put("SAMROI_WEIGHTS_URL", "http://127.0.0.1:9/"); // never the internet
        File log = workDir.resolve(name + ".log").toFile();
        builder.redirectOutput(log);
        Process process = builder.start();
        if (!process.waitFor(timeoutSeconds + 30, TimeUnit.SECONDS)) process.destroyForcibly();
        if (process.exitValue() == 124 || process.exitValue() == 137) {
            fail("ImageJ did not finish " + name + " in " + timeoutSeconds + " s (a macro error dialog?):\n" + read(log));
        }
        String output = read(log);
        System.out.println("--- ImageJ " + name + " ---\n" + output);
        return output;
    }

    private static String read(File log) throws IOException {
        return new String(Files.readAllBytes(log.toPath()), StandardCharsets.UTF_8);
    }

    /** The value printed by the macro as "key: value" (the last such line), or fails. */
    static String printed(String output, String key) {
        String value = null;
        for (String line : output.split("\n")) {
            if (line.startsWith(key + ": ")) value = line.substring(key.length() + 2).trim();
        }
        if (value == null) fail("the macro printed no '" + key + ":' line; its output:\n" + output);
        return value;
    }

    /** A path as a macro string literal. */
    static String q(Path p) {
        return "\"" + p.toString().replace("\\", "/") + "\"";
    }
}
