package plugins.samroi;

import org.samroi.icy.BatchRun;

import icy.gui.dialog.MessageDialog;
import icy.main.Icy;
import icy.plugin.abstract_.PluginActionable;
import icy.plugin.interface_.PluginThreaded;

/**
 * samroi's batch command: {@code icy -hl -x plugins.samroi.SamroiBatch image=... prompts=...}
 * (run with {@code help} for the keys). In headless Icy, run() blocks until the outputs are
 * written (Icy exits when it returns); in the GUI it runs on its own thread (PluginThreaded).
 */
public class SamroiBatch extends PluginActionable implements PluginThreaded {

    @Override
    public void run() {
        String[] args = Icy.getCommandLinePluginArgs();
        if (args.length == 0 && !Icy.getMainInterface().isHeadLess()) {
            MessageDialog.showDialog("samroi batch", "This is samroi's command-line mode: run Icy as\n"
                    + "icy -hl -x plugins.samroi.SamroiBatch image=... prompts=...\n"
                    + "For clicking objects in Icy, start 'samroi' instead.", MessageDialog.INFORMATION_MESSAGE);
            return;
        }
        new BatchRun(System.out, System.err).run(args);
    }
}
