package org.samroi.ij.annotator;

import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.ImageCanvas;
import ij.gui.Roi;
import ij.plugin.frame.RoiManager;

import java.awt.Frame;
import java.awt.GraphicsEnvironment;
import java.awt.Point;
import java.awt.Rectangle;
import java.awt.Robot;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.imageio.ImageIO;

import org.samroi.core.Prompt;
import org.samroi.core.SamSession;
import org.samroi.core.WorkerInfo;
import org.samroi.ij.RoiSets;
import org.samroi.ij.SamRoi;

/**
 * Real ImageJ with the Annotator in a real window, for {@link AnnotatorGuiIT}: a separate JVM on
 * the test's virtual display. It sets things up on request and reports what it sees; the mouse
 * and keyboard events come from outside (xdotool), as a user's would.
 *
 * <p>
 * Protocol: one command per line on stdin, one answer line per command on stdout starting with
 * {@value #ANSWER} ("ok ..." or "error ..."); everything else on stdout is ImageJ's chatter.
 *
 * <pre>
 * open X Y PATH        open and show an image, its window at screen point (X, Y); answers its id
 * manager X Y          open the ROI Manager at screen point (X, Y)
 * annotator            Plugins &gt; ... &gt; Annotator, answers once its window shows
 * tool NAME            choose an ImageJ tool ("rectangle", "point")
 * slice ID N           show slice N of image ID
 * button LABEL        the panel raised, the screen point at the centre of its button LABEL: "ok SX SY"
 * where ID X Y         the screen point of the centre of pixel (X, Y) of image ID: "ok SX SY"
 * state [ID] [ZIP]     key=value words: count (ROI Manager), names, idle, shown, undone, failed,
 *                      nothing, refused, problem, pid (worker), selection and prompt.N (of image
 *                      ID); ZIP gets the ROI Manager's ROIs as a RoiSet
 * screenshot PNG       the whole screen
 * quit
 * </pre>
 */
public final class AnnotatorHarness {

    static final String ANSWER = "@@ ";

    private final Map<String, AtomicInteger> counts = new HashMap<>();
    private final AtomicReference<String> lastProblem = new AtomicReference<>("");
    private AnnotatorPanel panel;

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        if (GraphicsEnvironment.isHeadless()) {
            out.println(ANSWER + "error headless: set DISPLAY");
            System.exit(2);
        }
        new ImageJ();
        AnnotatorHarness harness = new AnnotatorHarness();
        out.println(ANSWER + "ok ready");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null;) {
            String answer;
            try {
                answer = harness.handle(line.trim());
            } catch (Throwable t) {
                answer = "error " + t;
            }
            out.println(ANSWER + answer.replace('\n', ' ').replace('\r', ' '));
            if (line.trim().equals("quit")) System.exit(0);
        }
        System.exit(0);
    }

    private String handle(String line) throws Exception {
        String[] w = line.split(" ");
        switch (w[0]) {
            case "open": {
                String path = line.split(" ", 4)[3];
                ImagePlus imp = IJ.openImage(path);
                if (imp == null) return "error cannot open " + path;
                imp.show();
                Edt.waitFor(() -> imp.getWindow() != null && imp.getWindow().isShowing() && imp.getCanvas().isShowing(), 30);
                moveTo(imp.getWindow(), w);
                return "ok " + imp.getID();
            }
            case "manager": {
                Frame rm = Edt.call(RoiManager::getRoiManager);
                Edt.waitFor(rm::isShowing, 30);
                moveTo(rm, w);
                return "ok";
            }
            case "annotator": {
                IJ.runPlugIn(AnnotatorCommand.class.getName(), "");
                Edt.waitFor(() -> {
                    Frame f = WindowManager.getFrame(AnnotatorPanel.TITLE);
                    return f instanceof AnnotatorPanel && f.isShowing();
                }, 30);
                panel = (AnnotatorPanel) WindowManager.getFrame(AnnotatorPanel.TITLE);
                panel.annotator().addObserver(new Counter());
                return "ok";
            }
            case "tool":
                IJ.setTool(w[1]);
                return "ok";
            case "slice": {
                ImagePlus imp = image(w[1]);
                int n = Integer.parseInt(w[2]);
                Edt.call(() -> {
                    imp.setSlice(n);
                    return null;
                });
                return "ok";
            }
            case "where": {
                ImagePlus imp = image(w[1]);
                double x = Double.parseDouble(w[2]) + 0.5;
                double y = Double.parseDouble(w[3]) + 0.5;
                return Edt.call(() -> {
                    ImageCanvas c = imp.getCanvas();
                    Point p = c.getLocationOnScreen();
                    Rectangle src = c.getSrcRect();
                    double mag = c.getMagnification();
                    return String.format(Locale.ROOT, "ok %d %d %s", p.x + (int) Math.floor((x - src.x) * mag),
                            p.y + (int) Math.floor((y - src.y) * mag), mag);
                });
            }
            case "button":
                // A window opened since (a new image) may lie over the panel: raise it first, so
                // that a click at the reported point reaches the button.
                Edt.call(() -> {
                    panel.toFront();
                    return null;
                });
                java.awt.Toolkit.getDefaultToolkit().sync();
                Thread.sleep(200);
                return Edt.call(() -> {
                    java.awt.Button button = findButton(panel, w[1]);
                    if (button == null) return "error no button " + w[1];
                    Point p = button.getLocationOnScreen();
                    return "ok " + (p.x + button.getWidth() / 2) + " " + (p.y + button.getHeight() / 2);
                });
            case "state":
                return Edt.call(() -> state(w.length > 1 ? image(w[1]) : null, w.length > 2 ? w[2] : null));
            case "screenshot": {
                Rectangle screen = new Rectangle(java.awt.Toolkit.getDefaultToolkit().getScreenSize());
                ImageIO.write(new Robot().createScreenCapture(screen), "png", Paths.get(w[1]).toFile());
                return "ok";
            }
            case "quit":
                return "ok";
            default:
                return "error unknown command " + w[0];
        }
    }

    private static java.awt.Button findButton(java.awt.Container c, String label) {
        for (java.awt.Component k : c.getComponents()) {
            if (k instanceof java.awt.Button && label.equals(((java.awt.Button) k).getLabel())) return (java.awt.Button) k;
            if (k instanceof java.awt.Container) {
                java.awt.Button b = findButton((java.awt.Container) k, label);
                if (b != null) return b;
            }
        }
        return null;
    }

    /** Moves window to the screen point in words 1 and 2 of the command and waits until it is there. */
    private static void moveTo(java.awt.Window window, String[] w) throws Exception {
        Point to = new Point(Integer.parseInt(w[1]), Integer.parseInt(w[2]));
        Edt.call(() -> {
            window.setLocation(to);
            return null;
        });
        Edt.waitFor(() -> window.getLocationOnScreen().equals(to), 30);
    }

    private String state(ImagePlus imp, String zip) throws Exception {
        StringBuilder s = new StringBuilder("ok");
        RoiManager rm = RoiManager.getInstance();
        Roi[] rois = rm == null ? new Roi[0] : rm.getRoisAsArray();
        StringBuilder names = new StringBuilder();
        for (Roi r : rois) names.append(names.length() > 0 ? "," : "").append(r.getName());
        s.append(" count=").append(rois.length).append(" names=").append(names);
        s.append(" idle=").append(panel != null && panel.annotator().isIdle());
        for (String k : new String[] {"shown", "undone", "failed", "nothing", "refused"}) {
            s.append(' ').append(k).append('=').append(count(k).get());
        }
        SamSession session = SamRoi.sessionIfStarted();
        WorkerInfo worker = session == null ? null : session.workerInfo();
        s.append(" pid=").append(worker == null ? -1 : worker.pid());
        if (imp != null) s.append(" selection=").append(imp.getRoi() == null ? "none" : imp.getRoi().getTypeAsString().replace(' ', '_'));
        if (imp != null && panel != null) {
            for (int n = 1; n <= 99; n++) {
                Prompt p = panel.annotator().promptOf(imp, n);
                if (p != null) s.append(" prompt.").append(n).append('=').append(p.toString().replace(' ', '_'));
            }
        }
        s.append(" problem=").append(lastProblem.get().replace(' ', '_'));
        if (zip != null && rois.length > 0) RoiSets.save(rois, Paths.get(zip));
        return s.toString();
    }

    private AtomicInteger count(String key) {
        synchronized (counts) {
            return counts.computeIfAbsent(key, k -> new AtomicInteger());
        }
    }

    private static ImagePlus image(String id) {
        ImagePlus imp = WindowManager.getImage(Integer.parseInt(id));
        if (imp == null) throw new IllegalArgumentException("no image " + id);
        return imp;
    }



    /** Counts what the Annotator reports (on the event thread). */
    private final class Counter implements AnnotationListener {
        @Override
        public void shown(int number, long gestureNanos) {
            count("shown").incrementAndGet();
        }

        @Override
        public void undone(int number) {
            count("undone").incrementAndGet();
        }

        @Override
        public void failed(int number, Throwable error) {
            lastProblem.set(Messages.failure(error));
            count("failed").incrementAndGet();
        }

        @Override
        public void nothingFound(int number) {
            count("nothing").incrementAndGet();
        }

        @Override
        public void refused(String reason) {
            lastProblem.set(reason);
            count("refused").incrementAndGet();
        }
    }
}
