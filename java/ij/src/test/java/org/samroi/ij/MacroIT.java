package org.samroi.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.PointRoi;
import ij.gui.Roi;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin in plain ImageJ, the way a user's batch macro runs it: {@code ij.jar -batch} under
 * Xvfb with the plain-ImageJ layout of `mvn package`, one ImageJ (and one worker) for all
 * images. Every ROI the macro produces must fill exactly the pixels `samroi segment` gives for
 * the same prompt on the same image (the random fixture checkpoint makes arbitrary blobs, so the
 * command line is the reference, not the prompt).
 */
class MacroIT {

    @TempDir
    Path tmp;

    @Test
    void macrosOnPhaseContrastHistologyTheMosaicAndAStack() throws Exception {
        Path out = tmp.resolve("out");
        java.nio.file.Files.createDirectories(out);
        String dir = out.toString() + "/";
        String macro = String.join("\n",
                "dir = \"" + dir + "\";",
                // 16-bit phase contrast: two clicks on one cell; a box (with the checkpoint as an option).
                "open(" + ImageJProcess.q(IjTests.dev("usiigaci_phase_d02.tif")) + ");",
                "run(\"Segment\", \"points=400,300;410,310\");",
                "run(\"Segment\", \"box=600,500,60,50 checkpoint=[" + IjTests.checkpoint() + "]\");",
                "run(\"About\");",
                "print(\"phase count: \" + roiManager(\"count\"));",
                "roiManager(\"save\", dir + \"phase.zip\"); roiManager(\"reset\"); close();",
                // RGB histology: dark nuclei found by Find Maxima, one object per point.
                "open(" + ImageJProcess.q(IjTests.dev("dsb_he_d02.tif")) + ");",
                "run(\"Find Maxima...\", \"prominence=60 light output=[Point Selection]\");",
                "getSelectionCoordinates(xs, ys); print(\"maxima: \" + xs.length);",
                "saveAs(\"Selection\", dir + \"he-prompts.roi\");",
                "run(\"Batch from ROIs\", \"from=selection\");",
                "print(\"he count: \" + roiManager(\"count\") + \" selection \" + selectionType());",
                "roiManager(\"save\", dir + \"he.zip\"); roiManager(\"reset\");",
                "run(\"Batch from ROIs\", \"from=selection remove output=Overlay\");",
                "print(\"he overlay: \" + Overlay.size + \" selection \" + selectionType() + \" manager \" + roiManager(\"count\"));",
                "close();",
                // The 4160 x 4176 mosaic: only the tiles near the prompts are encoded.
                "open(" + ImageJProcess.q(IjTests.dev("mosaic_dsb_fluo_4160x4176.tif")) + ");",
                "run(\"Segment\", \"points=2100,2050\");",
                "run(\"Segment\", \"box=2200,2100,50,45\");",
                "print(\"mosaic count: \" + roiManager(\"count\"));",
                "roiManager(\"save\", dir + \"mosaic.zip\"); roiManager(\"reset\"); close();",
                // A stack of four real images, then the same as a hyperstack of 2 slices x 2 frames.
                "open(" + ImageJProcess.q(IjTests.dev("dsb_fluo_d01.tif")) + ");",
                "open(" + ImageJProcess.q(IjTests.dev("dsb_fluo_d02.tif")) + ");",
                "open(" + ImageJProcess.q(IjTests.dev("dsb_fluo_d03.tif")) + "); makeRectangle(0, 0, 256, 256); run(\"Crop\");",
                "open(" + ImageJProcess.q(IjTests.dev("dsb_fluo_d02.tif")) + "); run(\"Flip Horizontally\");",
                "run(\"Images to Stack\", \"title=dsb use\");",
                "saveAs(\"Tiff\", dir + \"stack.tif\");",
                "setSlice(2); run(\"Segment\", \"points=120,130\");",
                "run(\"Stack to Hyperstack...\", \"order=xyczt(default) channels=1 slices=2 frames=2 display=Grayscale\");",
                "Stack.setPosition(1, 2, 2); run(\"Segment\", \"points=120,130\");",
                "print(\"stack count: \" + roiManager(\"count\"));",
                "roiManager(\"save\", dir + \"stack.zip\"); roiManager(\"reset\"); close();",
                // Outputs: a label image, and Export Labels of the ROI Manager.
                "open(" + ImageJProcess.q(IjTests.dev("dsb_fluo_d01.tif")) + ");",
                "run(\"Segment\", \"points=190,170 output=[Label image]\");",
                "print(\"labels: \" + getTitle() + \" \" + bitDepth()); saveAs(\"Tiff\", dir + \"labels.tif\"); close();",
                "run(\"Segment\", \"points=190,170\"); run(\"Segment\", \"points=115,140\");",
                "run(\"Export Labels\", \"labels=[\" + dir + \"export.tif] rois=[\" + dir + \"export.zip]\");",
                "run(\"Settings\", \"model=mobilesam\");", // kept in memory: a -batch run saves no preferences
                "run(\"About\");",
                "print(\"done: yes\");");
        String log = ImageJProcess.runBatch(tmp, "macros", 900, macro);
        assertEquals("yes", ImageJProcess.printed(log, "done"), "the macro ran to its end");
        String[] workers = log.split("Worker: running: ");
        assertEquals(3, workers.length, "About printed the running worker twice");
        assertEquals(pid(workers[1]), pid(workers[2]), "one worker serves every macro call");
        assertTrue(workers[1].contains("Settings: model mobilesam"), "Settings changed the model:\n" + workers[1]);
        assertTrue(workers[0].contains("Settings: model efficientsam-ti"), workers[0]);

        // 16-bit phase contrast
        Path phase = IjTests.dev("usiigaci_phase_d02.tif");
        List<Roi> phaseRois = IjTests.openRoiSet(out.resolve("phase.zip"));
        assertEquals("2", ImageJProcess.printed(log, "phase count"));
        Path phasePrompts = tmp.resolve("phase-prompts.zip");
        RoiSets.save(new Roi[] {new PointRoi(new float[] {400, 410}, new float[] {300, 310}, 2),
            new Roi(600, 500, 60, 50)}, phasePrompts);
        List<Roi> phaseCli = IjTests.cliSegment(tmp, phase, "--prompts", phasePrompts.toString(), "--group-points");
        assertEqualRois(phaseCli, phaseRois, 1024, 1022, "phase");

        // RGB histology, one object per Find Maxima point; the prompts stay unless removed.
        int maxima = Integer.parseInt(ImageJProcess.printed(log, "maxima"));
        assertTrue(maxima >= 5, "Find Maxima found " + maxima + " nuclei");
        List<Roi> heCli = IjTests.cliSegment(tmp, IjTests.dev("dsb_he_d02.tif"), "--prompts",
                out.resolve("he-prompts.roi").toString());
        assertEquals(heCli.size() + " selection 10", ImageJProcess.printed(log, "he count"));
        assertEqualRois(heCli, IjTests.openRoiSet(out.resolve("he.zip")), 320, 256, "histology");
        assertEquals(heCli.size() + " selection -1 manager 0", ImageJProcess.printed(log, "he overlay"));

        // The mosaic
        Path mosaicPrompts = tmp.resolve("mosaic-prompts.zip");
        RoiSets.save(new Roi[] {new PointRoi(2100, 2050), new Roi(2200, 2100, 50, 45)}, mosaicPrompts);
        List<Roi> mosaicCli = IjTests.cliSegment(tmp, IjTests.dev("mosaic_dsb_fluo_4160x4176.tif"), "--prompts",
                mosaicPrompts.toString());
        assertEqualRois(mosaicCli, IjTests.openRoiSet(out.resolve("mosaic.zip")), 4176, 4160, "mosaic");

        // The stack: slice 2 of the plain stack, (c 1, z 2, t 2) of the hyperstack, positions kept in the RoiSet.
        List<Roi> stackRois = IjTests.openRoiSet(out.resolve("stack.zip"));
        assertEquals(2, stackRois.size());
        assertEquals(2, stackRois.get(0).getPosition());
        assertTrue(stackRois.get(1).hasHyperStackPosition());
        assertEquals(1, stackRois.get(1).getCPosition());
        assertEquals(2, stackRois.get(1).getZPosition());
        assertEquals(2, stackRois.get(1).getTPosition());
        Path stack = out.resolve("stack.tif");
        IjTests.assertSamePixels(IjTests.cliSegment(tmp, stack, "--plane", "1", "--point", "120,130").get(0),
                stackRois.get(0), 256, 256, "slice 2");
        IjTests.assertSamePixels(IjTests.cliSegment(tmp, stack, "--plane", "3", "--point", "120,130").get(0),
                stackRois.get(1), 256, 256, "slice 2, frame 2 = plane 4");

        // Label image output and Export Labels: value k where ROI k is.
        List<Roi> exported = IjTests.openRoiSet(out.resolve("export.zip"));
        assertEquals(2, exported.size());
        assertEquals("001-efficientsam-ti", exported.get(0).getName());
        assertEquals("002-efficientsam-ti", exported.get(1).getName(), "numbers continue in the ROI Manager");
        assertLabels(out.resolve("export.tif"), exported.toArray(new Roi[0]));
        assertLabels(out.resolve("labels.tif"), new Roi[] {exported.get(0)}); // the same click, alone
    }

    static void assertEqualRois(List<Roi> want, List<Roi> got, int width, int height, String what) {
        assertEquals(want.size(), got.size(), what + ": ROI count");
        for (int i = 0; i < want.size(); i++) {
            IjTests.assertSamePixels(want.get(i), got.get(i), width, height, what + " ROI " + (i + 1));
            assertEquals(want.get(i).getName(), got.get(i).getName(), what + " ROI " + (i + 1) + " name");
        }
    }

    static void assertLabels(Path file, Roi[] rois) {
        ImagePlus labels = IJ.openImage(file.toString());
        assertEquals(16, labels.getBitDepth(), file + " is 16-bit");
        int w = labels.getWidth(), h = labels.getHeight();
        int[] want = new int[w * h];
        for (int k = 1; k <= rois.length; k++) {
            boolean[] f = IjTests.fill(rois[k - 1], w, h);
            for (int i = 0; i < f.length; i++) if (f[i]) want[i] = k;
        }
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], labels.getProcessor().get(i % w, i / w), file.getFileName() + " at pixel " + i);
        }
    }

    static String pid(String aboutTail) {
        int at = aboutTail.indexOf("(pid ");
        return aboutTail.substring(at, aboutTail.indexOf(',', at));
    }
}
