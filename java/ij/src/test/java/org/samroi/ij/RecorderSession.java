package org.samroi.ij;

import ij.Executer;
import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.gui.GenericDialog;
import ij.gui.PointRoi;
import ij.plugin.frame.Recorder;
import ij.plugin.frame.RoiManager;
import java.awt.Checkbox;
import java.awt.Choice;
import java.awt.EventQueue;
import java.awt.TextField;
import java.awt.Window;
import java.awt.event.ActionEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.function.Consumer;

/**
 * The child ImageJ of {@link RecorderIT} (runs on Xvfb): with the Recorder open, runs Segment
 * and Batch from ROIs from the menu, answering their dialogs through GenericDialog's public
 * fields and OK button as a user would, saves what the ROI Manager got and what the Recorder
 * wrote; then replays the recorded lines as a macro and saves the ROI Manager again.
 * Arguments: output folder.
 */
public final class RecorderSession {

    private RecorderSession() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Paths.get(args[0]);
        new ImageJ();
        Recorder recorder = new Recorder();
        ImagePlus imp = IJ.openImage(IjTests.dev("dsb_fluo_d01.tif").toString());
        imp.show();
        IJ.wait(500);

        answer("SAM ROI: Segment", gd -> {
            choose(gd, 1, "points/box");
            type(gd, 0, "190,170");
            type(gd, 1, "180,160");
        });
        run("Segment", imp, 1);
        imp.setRoi(new PointRoi(new float[] {60, 115}, new float[] {60, 140}, 2));
        answer("SAM ROI: Batch from ROIs", gd -> {
            choose(gd, 1, "selection");
            tick(gd, 0, true); // remove the prompts
        });
        run("Batch from ROIs", imp, 3);
        RoiManager rm = RoiManager.getInstance();
        RoiSets.save(rm.getRoisAsArray(), out.resolve("interactive.zip"));
        String recorded = recorder.getText();
        Files.write(out.resolve("recorded.ijm"), recorded.getBytes(StandardCharsets.UTF_8));

        StringBuilder replay = new StringBuilder();
        for (String line : recorded.split("\n")) {
            if (line.startsWith("run(\"Batch from ROIs\"")) {
                replay.append("makeSelection(\"point\", newArray(60, 115), newArray(60, 140));\n");
            }
            if (line.startsWith("run(\"Segment\"") || line.startsWith("run(\"Batch from ROIs\"")) {
                replay.append(line).append('\n');
            }
        }
        rm.reset();
        IJ.runMacro(replay.toString());
        RoiSets.save(rm.getRoisAsArray(), out.resolve("replayed.zip"));
        System.out.println("recorder session: done");
        System.exit(0);
    }

    /** Run a menu command on imp as the menu does (its own thread, recorded), until the ROI Manager holds count ROIs. */
    static void run(String command, ImagePlus imp, int count) {
        new Executer(command, imp);
        long deadline = System.currentTimeMillis() + 300_000;
        while (System.currentTimeMillis() < deadline) {
            RoiManager rm = RoiManager.getInstance();
            if (rm != null && rm.getCount() == count) {
                IJ.wait(500); // the recorder writes the line when the command returns
                return;
            }
            IJ.wait(100);
        }
        throw new IllegalStateException(command + " did not give " + count + " ROIs");
    }

    /** When a dialog titled title shows, fill it with fill and press OK (on the event thread). */
    static void answer(String title, Consumer<GenericDialog> fill) {
        Thread t = new Thread(() -> {
            for (int i = 0; i < 3000; i++) {
                for (Window w : Window.getWindows()) {
                    if (w instanceof GenericDialog && w.isShowing() && title.equals(((GenericDialog) w).getTitle())) {
                        GenericDialog gd = (GenericDialog) w;
                        try {
                            EventQueue.invokeAndWait(() -> {
                                fill.accept(gd);
                                gd.actionPerformed(new ActionEvent(gd.getButtons()[0], ActionEvent.ACTION_PERFORMED, "OK"));
                            });
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        return;
                    }
                }
                IJ.wait(100);
            }
        }, "answer " + title);
        t.setDaemon(true);
        t.start();
    }

    static void type(GenericDialog gd, int field, String text) {
        ((TextField) gd.getStringFields().get(field)).setText(text);
    }

    static void choose(GenericDialog gd, int choice, String item) {
        ((Choice) gd.getChoices().get(choice)).select(item);
    }

    static void tick(GenericDialog gd, int box, boolean on) {
        ((Checkbox) gd.getCheckboxes().get(box)).setState(on);
    }
}
