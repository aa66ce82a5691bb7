package org.samroi.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.Roi;
import java.io.IOException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.samroi.core.ImageInfo;
import org.samroi.core.ImageOptions;
import org.samroi.core.Prompt;
import org.samroi.core.ProgressListener;
import org.samroi.core.PromptException;
import org.samroi.core.PromptText;
import org.samroi.core.SamException;
import org.samroi.core.SamSession;
import org.samroi.core.SegmentOptions;
import org.samroi.core.SegmentedObject;
import org.samroi.core.env.EnvironmentStatus;
import org.samroi.core.env.InstallMethod;
import org.samroi.core.env.PythonEnvironment;

/**
 * samroi in ImageJ: the one {@link SamSession} of this Java VM, and static entry points for
 * scripts (Groovy, Jython, JavaScript, BeanShell, Java) and headless use.
 *
 * <h2>The session</h2>
 * Every samroi command, the Annotator and scripts share one worker: it starts on first use with
 * the saved {@link PluginSettings}, keeps models, the current image and its encodings between
 * images and macro calls, and stops when ImageJ exits (or after {@link #restart()}, which the
 * Settings command calls when the Python changes).
 *
 * <h2>Scripting</h2>
 * Coordinates are pixels (x = column, y = row); boxes are ImageJ rectangles "x,y,width,height".
 * Options are the macro options of the Segment command (model=, checkpoint=, normalize=,
 * all_parts, simplify=, channel=, slice=, frame=). The current plane of the image is segmented
 * unless the options choose another. Calls block until the result is there; do not call them on
 * the Swing event thread.
 *
 * <p>Groovy:
 * <pre>
 * import org.samroi.ij.SamRoi
 * def imp = IJ.openImage("/data/cells.tif")
 * Roi[] rois = SamRoi.segment(imp, "120,80", null)                 // one click
 * rois = SamRoi.segment(imp, "120,80;125,90", "110,85", null, "model=mobilesam")  // 2 clicks, 1 background click
 * rois = SamRoi.segment(imp, null, "100,60,40,30")                 // a box
 * rois = SamRoi.segmentEach(imp, imp.getRoi(), "")                 // each point of a multi-point selection
 * SamRoi.saveRoiSet(rois, "/data/cells-rois.zip")
 * </pre>
 *
 * <p>Jython:
 * <pre>
 * from org.samroi.ij import SamRoi
 * rois = SamRoi.segment(imp, "120,80", None)
 * for roi in rois: imp.getOverlay().add(roi)   # or RoiManager.getRoiManager().addRoi(roi)
 * </pre>
 */
public final class SamRoi {

    /** Guards the session's creation and replacement. */
    private static final Object HOLDER = new Object();
    /** Makes "send the image, then segment it" one step for concurrent callers. */
    private static final Object WORK = new Object();

    private static SamSession session;
    /** What was last queued to the worker: plane, options, and the session (a new session has no image). */
    private static ImagePlanes.Key sentKey;
    private static ImageOptions sentOptions;
    private static SamSession sentTo;

    private SamRoi() {
    }

    // --- the session -----------------------------------------------------------------------

    /**
     * The session of this VM, made from the saved settings on first use; its worker then starts
     * in the background (this call returns at once, also on the event thread). Checks that
     * ImageJ's JNA is new enough.
     *
     * @throws SamException if the Python environment is not installed or JNA is too old
     */
    public static SamSession session() throws SamException {
        synchronized (HOLDER) {
            if (session == null) {
                JnaCheck.require();
                SamSession made = new SamSession(PluginSettings.load().environment());
                made.startAsync(); // in the background: the first command finds it ready
                session = made;
            }
            return session;
        }
    }

    /** The session if one was made, else null (nothing is started). */
    public static SamSession sessionIfStarted() {
        synchronized (HOLDER) {
            return session;
        }
    }

    /** The saved settings (ImageJ preferences, overridden by samroi.* system properties). */
    public static PluginSettings settings() {
        return PluginSettings.load();
    }

    /** Stop the worker; the next call starts a new one with the then saved settings. */
    public static void restart() {
        SamSession old;
        synchronized (HOLDER) {
            old = session;
            session = null;
        }
        forgetImage();
        if (old != null) old.close();
    }

    /** Cancel what the worker is doing now and what is queued (it keeps running). */
    public static void cancel() {
        SamSession s = sessionIfStarted();
        if (s != null) s.cancel();
    }

    /** Whether the Python of the saved settings is there (an existing Python, or a ready managed environment). */
    public static boolean environmentReady() {
        PluginSettings s = settings();
        if (s.method() == InstallMethod.EXISTING_PYTHON) return s.python() != null;
        return s.installer().status() == EnvironmentStatus.READY;
    }

    /**
     * Install the managed Python environment of the saved settings (minutes, once; nothing to
     * do when it is ready), reporting to listener; afterwards the next call starts a worker in it.
     */
    public static CompletableFuture<PythonEnvironment> installEnvironmentAsync(ProgressListener listener) {
        return settings().installer().listener(listener).installAsync().whenComplete((env, error) -> {
            if (error == null) restart();
        });
    }

    /** Forget which plane the worker has, so the next call sends it again. */
    public static void forgetImage() {
        synchronized (WORK) {
            sentKey = null;
            sentOptions = null;
        }
    }

    /** Forget the worker's plane if it is one of imp's (call when imp's pixels changed). */
    public static void forgetImage(ImagePlus imp) {
        synchronized (WORK) {
            if (imp != null && sentKey != null && sentKey.imageId() == imp.getID()) {
                sentKey = null;
                sentOptions = null;
            }
        }
    }

    /**
     * Make plane the worker's current image for options, unless it already is (same plane key,
     * same options): switching back and forth between images costs a copy each time, but the
     * worker keeps the encodings of every image it has seen in its cache.
     */
    public static void prepare(ImagePlanes.Plane plane, ImageOptions options) throws SamException {
        CompletableFuture<ImageInfo> sent;
        synchronized (WORK) {
            sent = send(plane, options);
        }
        if (sent != null) SamSession.await(sent);
    }

    /** Blocking form of {@link #segmentAsync}. */
    public static List<SegmentedObject> segment(ImagePlanes.Plane plane, ImageOptions imageOptions, List<Prompt> prompts,
            SegmentOptions segmentOptions) throws SamException {
        return SamSession.await(segmentAsync(plane, imageOptions, prompts, segmentOptions));
    }

    /**
     * Segment prompts on plane, one object per prompt in order. The plane is sent first unless
     * it is the worker's current image already (same key, same options); both calls are queued
     * together, so no other caller's image can come between them. Returns at once (the pixel
     * copy happens on a samroi thread); fails with the sending's error if that fails.
     */
    public static CompletableFuture<List<SegmentedObject>> segmentAsync(ImagePlanes.Plane plane, ImageOptions imageOptions,
            List<Prompt> prompts, SegmentOptions segmentOptions) {
        try {
            synchronized (WORK) {
                CompletableFuture<ImageInfo> sent = send(plane, imageOptions);
                CompletableFuture<List<SegmentedObject>> objects = session().segmentAsync(prompts, segmentOptions);
                return sent == null ? objects : sent.thenCombine(objects, (info, list) -> list);
            }
        } catch (SamException e) {
            CompletableFuture<List<SegmentedObject>> failed = new CompletableFuture<>();
            failed.completeExceptionally(e);
            return failed;
        }
    }

    /** Queue setImage unless plane is what was sent last; null when nothing needs sending. Hold WORK. */
    private static CompletableFuture<ImageInfo> send(ImagePlanes.Plane plane, ImageOptions options) throws SamException {
        SamSession s = session();
        if (plane.key().equals(sentKey) && options.equals(sentOptions) && s == sentTo) return null;
        ImagePlanes.Key key = plane.key();
        sentKey = key;
        sentOptions = options;
        sentTo = s;
        CompletableFuture<ImageInfo> sent = s.setImageAsync(plane.pixels(), options);
        sent.whenComplete((info, error) -> {
            if (error == null) return;
            synchronized (WORK) {
                if (key.equals(sentKey)) {
                    sentKey = null; // a failed setImage leaves the worker without an image
                    sentOptions = null;
                }
            }
        });
        return sent;
    }

    // --- scripting -------------------------------------------------------------------------

    /** One object from clicks and/or a box; see {@link #segment(ImagePlus, String, String, String, String)}. */
    public static Roi[] segment(ImagePlus imp, String points, String box) throws SamException {
        return segment(imp, points, null, box, null);
    }

    /**
     * One object on the current plane of imp from clicks on it ("x1,y1;x2,y2"), clicks on the
     * background (negative, may be null) and/or a box ("x,y,width,height", may be null).
     *
     * @param options macro-style options, e.g. "model=mobilesam simplify=1" (may be null)
     * @return the object's ROI (named "001-MODEL", with the plane's stack position), or an
     *         empty array when the model found nothing
     */
    public static Roi[] segment(ImagePlus imp, String points, String negative, String box, String options)
            throws SamException {
        List<Prompt.Point> clicks = new ArrayList<>(PromptText.parsePoints(points, true));
        clicks.addAll(PromptText.parsePoints(negative, false));
        Prompt.Box b = PromptText.parseRectangle(box);
        if (clicks.isEmpty() && b == null) {
            throw new PromptException(-1, null, "No prompt was given: no points and no box.");
        }
        List<Prompt> prompts = new ArrayList<>();
        prompts.add(Prompt.of(clicks, b));
        return segmentPrompts(imp, prompts, options);
    }

    /**
     * One object per point of the point ROIs and per rectangle ROI in prompts (a multi-point
     * ROI gives one object per point, as from Process > Find Maxima); other ROI types are
     * skipped. ROIs are named by prompt number in that order.
     */
    public static Roi[] segmentEach(ImagePlus imp, Roi prompts, String options) throws SamException {
        return segmentEach(imp, prompts == null ? new Roi[0] : new Roi[] {prompts}, options);
    }

    /** {@link #segmentEach(ImagePlus, Roi, String)} for several prompt ROIs (e.g. the ROI Manager's). */
    public static Roi[] segmentEach(ImagePlus imp, Roi[] prompts, String options) throws SamException {
        return segmentPrompts(imp, PromptRois.of(prompts).prompts(), options);
    }

    /**
     * One object per prompt (see {@link Prompt}); the general form for Java callers.
     *
     * @return the non-empty objects' ROIs, named by their prompt's number
     */
    public static Roi[] segmentPrompts(ImagePlus imp, List<Prompt> prompts, String options) throws SamException {
        MacroOptions macro = MacroOptions.parse(options).requireKnown(CommonOptions.KEYS, "SamRoi.segment");
        CommonOptions common = CommonOptions.read(macro, settings());
        ImagePlanes.Plane plane = common.plane(imp, false);
        List<SegmentedObject> objects = segment(plane, common.imageOptions(), prompts, common.segmentOptions());
        List<Roi> rois = new ArrayList<>();
        for (int i = 0; i < objects.size(); i++) {
            Roi roi = RoiFactory.toRoi(objects.get(i), i + 1, common.model(), plane);
            if (roi != null) rois.add(roi);
            else IJ.log("samroi: prompt " + (i + 1) + " (" + prompts.get(i) + "): the model found no object there.");
        }
        return rois.toArray(new Roi[0]);
    }

    /** A 16-bit image of imp's size where ROI k fills its pixels with the value k (later ROIs over earlier ones). */
    public static ImagePlus labelImage(ImagePlus imp, Roi[] rois) {
        return LabelImages.create(imp.getTitle() + "-labels", imp.getWidth(), imp.getHeight(), rois);
    }

    /** Save rois as an ImageJ RoiSet (.zip) with ImageJ's own encoder. */
    public static void saveRoiSet(Roi[] rois, String path) throws IOException {
        RoiSets.save(rois, Paths.get(path));
    }
}
