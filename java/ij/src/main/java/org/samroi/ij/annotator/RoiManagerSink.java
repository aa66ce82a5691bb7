package org.samroi.ij.annotator;

import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.ImageCanvas;
import ij.gui.Roi;
import ij.plugin.frame.RoiManager;

/**
 * The ROI Manager as the Annotator's sink (event thread only). The manager stores a copy of
 * every ROI it is given; the copy is the handle the Annotator keeps, so that an outline is
 * found again by identity even if the user renames or reorders it.
 */
final class RoiManagerSink implements RoiSink<Roi> {

    @Override
    public Roi add(Roi roi) {
        RoiManager rm = RoiManager.getRoiManager();
        rm.addRoi(roi);
        showAll(rm);
        return rm.getRoi(rm.getCount() - 1);
    }

    @Override
    public Roi replace(Roi old, Roi now) {
        RoiManager rm = RoiManager.getRoiManager();
        int index = rm.getRoiIndex(old);
        if (index < 0) return add(now);
        rm.setRoi(now, index);
        return rm.getRoi(index);
    }

    @Override
    public void remove(Roi old) {
        RoiManager rm = RoiManager.getInstance();
        if (rm == null) return;
        int index = rm.getRoiIndex(old);
        if (index < 0) return;
        // The ROI Manager deletes what is selected in its list; selecting also puts the ROI on
        // the current image as its selection, which goes with it.
        rm.setSelectedIndexes(new int[] {index});
        rm.runCommand("Delete");
        ImagePlus imp = WindowManager.getCurrentImage();
        Roi selection = imp == null ? null : imp.getRoi();
        if (selection != null && old.getName() != null && old.getName().equals(selection.getName())) imp.deleteRoi();
    }

    /** New outlines are meant to be seen: switch on the manager's "Show All" if it is off. */
    private static void showAll(RoiManager rm) {
        ImagePlus imp = WindowManager.getCurrentImage();
        ImageCanvas canvas = imp == null ? null : imp.getCanvas();
        if (canvas != null && !canvas.getShowAllROIs()) rm.runCommand("Show All");
    }
}
