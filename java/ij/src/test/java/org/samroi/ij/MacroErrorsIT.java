package org.samroi.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input through macros in real ImageJ (-batch, Xvfb): each bad run("...") call stops its
 * macro with a message naming the problem, and the ROI Manager, the overlay and the selection
 * stay as they were. Each bad call runs as a macro of its own (runMacro), so the calling macro
 * can look at the state afterwards. Only Install Model reaches the worker (it checks the file);
 * the others fail on the plugin's own checks, before any worker call.
 * (Interactively, the same messages appear as ImageJ error dialogs.)
 */
class MacroErrorsIT {

    @TempDir
    Path tmp;

    /** Bad calls and a word the message must contain. */
    static final String[][] CASES = {
        {"run('Segment', 'points=30,40 model=sam-huge');", "Unknown model 'sam-huge'"},
        {"run('Segment', 'points=30,40;50');", "points '30,40;50': '50' has 1 number(s), expected 2"},
        {"run('Segment', 'box=240,240,40,40');", "reaches outside the image"},
        {"run('Batch from ROIs', 'remove simplfy=2');", "'simplfy' is not an option of Batch from ROIs"},
        {"run('Segment', 'points=30,40 checkpoint=[/nowhere/weights.pt]');", "/nowhere/weights.pt does not exist"},
        {"run('Segment', 'points=30,40 output=[Excel sheet]');", "Unknown output 'Excel sheet'"},
        {"run('Settings', 'environment=existing python=[]');", "environment=existing needs the Python to use"},
        // The worker checks the file: a random-weight checkpoint is not the official one.
        {"run('Install Model', 'model=mobilesam file=[" + IjTests.shared().resolve("reference").resolve("mobile_sam_random.pt")
            + "]');", "is not the official MobileSAM file"},
        // Last: it leaves the new 5D image the current one.
        {"newImage('five', '8-bit ramp', 64, 64, 2, 2, 2); run('Segment', 'points=30,40');",
            "is a 5D hyperstack (2 channels, 2 slices, 2 frames)"},
    };

    /** ROI Manager, overlay and selection of the current image, printed as "state: ...". */
    static final String STATE = "getSelectionBounds(x, y, w, h); print('state: ' + roiManager('count') + ' '"
            + " + RoiManager.getName(0) + ' ' + RoiManager.getName(1) + ' overlay ' + Overlay.size + ' selection '"
            + " + selectionType() + ' at ' + x + ',' + y);\n";

    @Test
    void badCallsNameTheProblemAndLeaveRoisAlone() throws Exception {
        StringBuilder macro = new StringBuilder();
        macro.append("setBatchMode(false);\n"); // real windows: the state outlives each bad macro
        macro.append("open(").append(ImageJProcess.q(IjTests.dev("dsb_fluo_d01.tif"))).append(");\n");
        macro.append("makeRectangle(10, 10, 20, 20); roiManager('add'); makeOval(50, 50, 30, 30); roiManager('add');\n");
        macro.append("makeOval(90, 90, 9, 9); run('Add Selection...'); makePoint(100, 120);\n");
        macro.append(STATE.replace("state", "before"));
        for (int i = 0; i < CASES.length; i++) {
            Path bad = tmp.resolve("bad" + i + ".ijm");
            Files.write(bad, (CASES[i][0].replace('\'', '"') + "\nprint('the macro went on');\n")
                    .getBytes(StandardCharsets.UTF_8));
            macro.append("print('case: ").append(i).append("');\n");
            macro.append("runMacro(").append(ImageJProcess.q(bad)).append(");\n");
            macro.append(STATE);
        }
        // No image at all.
        Path noImage = tmp.resolve("noimage.ijm");
        Files.write(noImage, "run(\"Segment\", \"points=30,40\");\n".getBytes(StandardCharsets.UTF_8));
        macro.append("while (nImages > 0) { selectImage(nImages); close(); } print('images: ' + nImages);\n");
        macro.append("runMacro(").append(ImageJProcess.q(noImage)).append(");\n");
        macro.append("print('after no image: ' + roiManager('count'));\n");

        String out = ImageJProcess.runBatch(tmp, "errors", 300, macro.toString().replace('\'', '"'));
        assertFalse(out.contains("the macro went on"), "a bad call must stop its macro");
        String before = ImageJProcess.printed(out, "before");
        assertTrue(before.startsWith("2 ") && before.endsWith("overlay 1 selection 10 at 100,120"), before);
        String[] parts = out.split("case: ");
        assertEquals(CASES.length + 1, parts.length, out);
        for (int i = 0; i < CASES.length; i++) {
            String part = parts[i + 1];
            assertTrue(part.contains("SAM ROI error: "), "case " + i + " gave no error:\n" + part);
            assertTrue(part.contains(CASES[i][1]), "case " + i + " should say '" + CASES[i][1] + "':\n" + part);
            assertTrue(part.contains("What to do: "), "case " + i + " says what to do:\n" + part);
            String state = ImageJProcess.printed(part, "state");
            if (i < CASES.length - 1) assertEquals(before, state, "case " + i + " left the ROIs alone");
            else assertEquals(before.substring(0, before.indexOf(" overlay")), state.substring(0, state.indexOf(" overlay")),
                    "the 5D case left the ROI Manager alone");
        }
        assertEquals("0", ImageJProcess.printed(out, "images"));
        assertTrue(out.contains("SAM ROI error: There is no image open."), out);
        assertEquals("2", ImageJProcess.printed(out, "after no image"));
    }
}
