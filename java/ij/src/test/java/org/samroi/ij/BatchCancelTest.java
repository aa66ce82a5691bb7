package org.samroi.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.Overlay;
import ij.gui.PointRoi;
import ij.gui.Roi;
import java.awt.event.KeyEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Esc during Batch from ROIs (the command's own code, headless, results to the overlay): the
 * batch stops soon, keeps what it had added (whole objects), keeps the prompt selection although
 * "remove" was asked for, and the worker goes on serving.
 */
@Timeout(600)
class BatchCancelTest {

    @AfterAll
    static void stop() {
        SamRoi.restart();
    }

    @Test
    void escapeStopsABatchAndKeepsWhatItAdded() throws Exception {
        ImagePlus imp = ImagePlanesTest.open("mosaic_dsb_fluo_4160x4176.tif");
        PointRoi prompts = BatchBenchmark.maxima(imp, 300); // spread over the mosaic: many tiles to encode
        imp.setRoi(prompts);
        Thread esc = new Thread(() -> {
            while (overlaySize(imp) == 0) IJ.wait(20); // the first chunk has arrived
            IJ.setKeyDown(KeyEvent.VK_ESCAPE);
        });
        esc.setDaemon(true);
        esc.start();
        BatchCommand.run(imp, MacroOptions.parse("from=selection remove output=Overlay"), true);
        int added = overlaySize(imp);
        assertTrue(added > 0 && added < prompts.size(),
                "cancelled after the first chunk: " + added + " of " + prompts.size() + " objects");
        for (Roi roi : imp.getOverlay().toArray()) {
            assertTrue(roi.getName().matches("\\d{3}-efficientsam-ti"), "a whole, named object: " + roi.getName());
        }
        assertSame(prompts, imp.getRoi(), "the prompts stay after a cancel, although remove was asked for");

        // The worker still works: the next call on the same image gives an object.
        Roi[] again = SamRoi.segment(imp, "2100,2050", null);
        assertEquals(1, again.length);
    }

    static int overlaySize(ImagePlus imp) {
        Overlay o = imp.getOverlay();
        return o == null ? 0 : o.size();
    }
}
