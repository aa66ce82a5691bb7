package org.samroi.ij;

import ij.IJ;
import ij.ImageJ;
import ij.plugin.PlugIn;
import java.awt.GraphicsEnvironment;
import java.util.Locale;
import org.samroi.core.SamSession;
import org.samroi.core.SamroiBuild;
import org.samroi.core.WorkerInfo;
import org.samroi.core.env.InstallMethod;

/**
 * Plugins > Segmentation > SAM ROI > About: versions, settings, the Python environment, the
 * worker, and the JNA library in use. In a macro (or without a display) the text goes to the
 * Log window (the console in batch mode).
 */
public class AboutCommand implements PlugIn {

    @Override
    public void run(String arg) {
        String text = text();
        if (IJ.isMacro() || GraphicsEnvironment.isHeadless() || IJ.getInstance() == null) IJ.log(text);
        else IJ.showMessage("About SAM ROI", text);
    }

    /** The About text (also for bug reports). */
    public static String text() {
        PluginSettings settings = SamRoi.settings();
        StringBuilder s = new StringBuilder();
        s.append("SAM ROI (samroi ").append(SamroiBuild.version()).append("): click a cell, get a polygon ROI.\n");
        s.append("Settings: ").append(settings.describe()).append('\n');
        s.append("Python environment: ").append(environment(settings)).append('\n');
        s.append("Worker: ").append(worker()).append('\n');
        s.append("JNA: ").append(JnaCheck.version()).append(" from ").append(JnaCheck.location())
                .append(JnaCheck.isUsable() ? " (ok)" : " (TOO OLD: samroi needs " + JnaCheck.MINIMUM + " or newer)")
                .append('\n');
        s.append("appose: ").append(SamroiBuild.apposeVersion()).append("; ImageJ ").append(ImageJ.VERSION)
                .append("; Java ").append(System.getProperty("java.version")).append(" (")
                .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch")).append(')');
        return s.toString();
    }

    private static String environment(PluginSettings settings) {
        if (settings.method() == InstallMethod.EXISTING_PYTHON) return "existing Python " + settings.python();
        return settings.installer().status().name().toLowerCase(Locale.ROOT) + " (" + settings.location() + ")";
    }

    private static String worker() {
        SamSession session = SamRoi.sessionIfStarted();
        WorkerInfo info = session == null ? null : session.workerInfo();
        if (info == null) return "not running (it starts with the first segmentation)";
        return "running: " + info;
    }
}
