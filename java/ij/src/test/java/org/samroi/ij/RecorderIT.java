package org.samroi.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.gui.Roi;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Recorder: Segment and Batch from ROIs run from the menu with their dialogs (ImageJ on
 * Xvfb, {@link RecorderSession}) record run("...") lines with the options as the macros take
 * them, and replaying those lines gives exactly the same ROIs.
 */
class RecorderIT {

    @TempDir
    Path tmp;

    @Test
    void dialogsRecordLinesThatReplayToTheSameRois() throws Exception {
        List<String> command = new ArrayList<>(Arrays.asList("xvfb-run", "-a", "timeout", "-k", "5", "600", "java",
                "-Dplugins.dir=" + ImageJProcess.layout(), "-Dsamroi.python=" + IjTests.python(),
                "-Dsamroi.checkpoint=" + IjTests.checkpoint(), "-Dsamroi.root=" + IjTests.repo(),
                "-Dsamroi.shared=" + IjTests.shared(), "-cp", System.getProperty("java.class.path"),
                RecorderSession.class.getName(), tmp.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("PYTHONPATH", IjTests.repo().resolve("python").toString());
        File log = tmp.resolve("session.log").toFile();
        builder.redirectOutput(log);
        Process process = builder.start();
        process.waitFor(660, TimeUnit.SECONDS);
        String output = new String(Files.readAllBytes(log.toPath()), StandardCharsets.UTF_8);
        assertTrue(output.contains("recorder session: done"), "the session did not finish:\n" + output);

        String recorded = new String(Files.readAllBytes(tmp.resolve("recorded.ijm")), StandardCharsets.UTF_8);
        System.out.println("Recorded:\n" + recorded);
        String checkpoint = "checkpoint=" + IjTests.checkpoint();
        assertTrue(recorded.contains("run(\"Segment\", \"model=efficientsam-ti " + checkpoint
                + " points=190,170 negative=180,160 output=[ROI Manager]\");"), recorded);
        assertTrue(recorded.contains("run(\"Batch from ROIs\", \"model=efficientsam-ti " + checkpoint
                + " from=selection remove output=[ROI Manager]\");"), recorded);

        List<Roi> interactive = IjTests.openRoiSet(tmp.resolve("interactive.zip"));
        List<Roi> replayed = IjTests.openRoiSet(tmp.resolve("replayed.zip"));
        assertEquals(3, interactive.size());
        assertEquals(3, replayed.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(interactive.get(i).getName(), replayed.get(i).getName());
            IjTests.assertSamePixels(interactive.get(i), replayed.get(i), 256, 256, "ROI " + (i + 1) + " replayed");
        }
    }
}
