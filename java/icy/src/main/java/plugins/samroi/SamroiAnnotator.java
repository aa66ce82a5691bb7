package plugins.samroi;

import org.samroi.icy.AnnotatorFrame;
import org.samroi.icy.logic.SamroiRuntime;

import icy.gui.dialog.MessageDialog;
import icy.main.Icy;
import icy.plugin.abstract_.PluginActionable;

/**
 * samroi in Icy: click an object (or draw a box) and get its outline as a polygon ROI. Opens the
 * samroi window (or brings it to the front); run() returns at once, on Icy's event thread.
 */
public class SamroiAnnotator extends PluginActionable {

    @Override
    public void run() {
        if (Icy.getMainInterface().isHeadLess()) {
            System.out.println("samroi: the annotator needs Icy's window; in headless mode use "
                    + "icy -hl -x plugins.samroi.SamroiBatch help");
            return;
        }
        try {
            SamroiRuntime.get().single(AnnotatorFrame.class, AnnotatorFrame::new).show();
        } catch (RuntimeException | LinkageError e) {
            MessageDialog.showDialog("samroi", "samroi could not start: " + e, MessageDialog.ERROR_MESSAGE);
        }
    }
}
