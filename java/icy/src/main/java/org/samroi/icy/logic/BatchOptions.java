package org.samroi.icy.logic;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.samroi.core.ImageOptions;
import org.samroi.core.Prompt;
import org.samroi.core.PromptText;
import org.samroi.core.SamException;
import org.samroi.core.SegmentOptions;

/**
 * The command line of the Icy batch plugin: {@code key=value} arguments after
 * {@code icy -hl -x plugins.samroi.SamroiBatch}. Parsing checks everything that can be checked
 * before Icy loads the image, and says what was wrong and how to write it.
 */
public final class BatchOptions {

    /** The keys, in the order the usage lists them. */
    static final List<String> KEYS = Arrays.asList("image", "prompts", "points", "background", "rectangle", "rois",
            "labels", "model", "checkpoint", "normalize", "channel", "z", "t", "holes", "python");

    private final Map<String, String> values;
    private final Path image;
    private final Path prompts;
    private final SamModel model;
    private final Path checkpoint;
    private final ChannelChoice channel;
    private final Plane plane;
    private final boolean keepHoles;
    private final Path python;
    private final List<Prompt> commandLinePrompts = new ArrayList<>();

    private BatchOptions(Map<String, String> values) throws SamException {
        this.values = values;
        this.image = existingFile("image", null);
        this.prompts = existingFile("prompts", ".csv");
        this.checkpoint = existingFile("checkpoint", null);
        this.python = values.containsKey("python") ? Paths.get(values.get("python")) : null;
        try {
            this.model = SamModel.fromId(values.getOrDefault("model", ImageOptions.DEFAULT_MODEL));
            this.channel = ChannelChoice.parse(values.get("channel"));
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        this.plane = Plane.of(index("z"), index("t"));
        String holes = values.getOrDefault("holes", "fill").toLowerCase(Locale.ROOT);
        if (!holes.equals("fill") && !holes.equals("keep")) throw bad("holes must be 'fill' or 'keep', got '" + holes + "'");
        this.keepHoles = holes.equals("keep");
        checkOutput("rois", ".xml");
        checkOutput("labels", ".tif", ".tiff");
        // As the command line's --point flags: all points are one object; the rectangle is another.
        List<Prompt.Point> points = new ArrayList<>(PromptText.parsePoints(values.get("points"), true));
        points.addAll(PromptText.parsePoints(values.get("background"), false));
        if (!points.isEmpty()) {
            if (!values.containsKey("points")) throw bad("background= needs points= (background points refine an object)");
            commandLinePrompts.add(Prompt.of(points, null));
        }
        Prompt.Box box = PromptText.parseRectangle(values.get("rectangle"));
        if (box != null) commandLinePrompts.add(Prompt.of(null, box));
    }

    /** Parse the plugin's arguments; "help" anywhere is a {@link HelpRequested}. */
    public static BatchOptions parse(String... args) throws SamException {
        Map<String, String> values = new LinkedHashMap<>();
        for (String arg : args) {
            if (arg == null || arg.trim().isEmpty()) continue;
            String a = arg.trim();
            if (a.equals("help") || a.equals("-h") || a.equals("--help")) throw new HelpRequested();
            int eq = a.indexOf('=');
            if (eq <= 0) throw bad("'" + a + "' is not key=value");
            String key = a.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = a.substring(eq + 1).trim();
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            }
            if (!KEYS.contains(key)) throw bad("unknown key '" + key + "'; the keys are: " + String.join(", ", KEYS));
            if (values.containsKey(key)) throw bad(key + "= is given twice");
            if (value.isEmpty()) throw bad(key + "= has no value");
            values.put(key, value);
        }
        return new BatchOptions(values);
    }

    /** The image file, or null: the active sequence (an image given to Icy before -x). */
    public Path image() {
        return image;
    }

    /**
     * The prompts given on the command line, in order: one object from points= (with the
     * background= points), then one from rectangle=. Pixel indices, as in the CSV files.
     */
    public List<Prompt> commandLinePrompts() {
        return Collections.unmodifiableList(commandLinePrompts);
    }

    /** The prompt CSV file, or null (with no prompts on the command line: the sequence's point and rectangle ROIs). */
    public Path prompts() {
        return prompts;
    }

    public SamModel model() {
        return model;
    }

    /** Where the ROIs go (Icy ROI XML): rois=, else beside the image, IMAGE_samroi_rois.xml. */
    public Path rois(Path imageFile) throws SamException {
        return output("rois", imageFile, "_samroi_rois.xml");
    }

    /** Where the label image goes, or null for labels=none: labels=, else IMAGE_samroi_labels.tif. */
    public Path labels(Path imageFile) throws SamException {
        if ("none".equalsIgnoreCase(values.get("labels"))) return null;
        return output("labels", imageFile, "_samroi_labels.tif");
    }

    /** The plane of prompts that do not name one (z=, t=; 0 by default). */
    public Plane plane() {
        return plane;
    }

    public ChannelChoice channel() {
        return channel;
    }

    /** An existing Python with samroi to use (python=), or null: samroi's installed environment. */
    public Path python() {
        return python;
    }

    /** The worker's image options (model, checkpoint, normalisation; channels are applied per image). */
    public ImageOptions imageOptions() {
        ImageOptions o = ImageOptions.defaults().withModel(model.id()).withCheckpoint(checkpoint);
        return values.containsKey("normalize") ? o.withNormalize(values.get("normalize")) : o;
    }

    public SegmentOptions segmentOptions() {
        return SegmentOptions.defaults().withKeepHoles(keepHoles);
    }

    public boolean keepHoles() {
        return keepHoles;
    }

    /** What the command takes. */
    public static String usage() {
        return String.join("\n",
                "samroi for Icy, batch mode: one object per prompt, saved as Icy ROIs and a label image.",
                "",
                "  icy -hl -x plugins.samroi.SamroiBatch image=IMAGE [prompts=PROMPTS.csv] [key=value ...]",
                "",
                "  image=FILE        the image (any format Icy opens); without it, the image given to Icy before -x",
                "  prompts=FILE.csv  prompts (the format of `samroi segment --prompts`: x,y[,label] points and",
                "                    x0,y0,x1,y1 boxes, pixel indices, optional prompt, c, z, t columns); with no",
                "                    prompts at all, the image's point and rectangle ROIs (saved with it by Icy)",
                "  points=X,Y;X,Y    one object from these clicks (pixel indices), as the command line's --point flags",
                "  background=X,Y;.. background clicks for that object",
                "  rectangle=X,Y,W,H one object from a box (ImageJ-style rectangle: pixels X..X+W-1, Y..Y+H-1)",
                "  rois=FILE.xml     where the ROIs go (default IMAGE_samroi_rois.xml beside the image)",
                "  labels=FILE.tif   the label image, object k = label k (default IMAGE_samroi_labels.tif; none: no file)",
                "  model=NAME        " + SamModel.ids() + " (default " + ImageOptions.DEFAULT_MODEL + ")",
                "  checkpoint=FILE   a checkpoint to use instead of the installed official weights",
                "  normalize=HOW     percentile (default), percentile:LO,HI, minmax or range:LO,HI",
                "  channel=C         auto (default: up to 3 channels), K (one channel as gray) or A,B,C (as RGB)",
                "  z=N               the slice of prompts that do not name one (default 0; counted from 0)",
                "  t=N               the frame of prompts that do not name one (default 0; counted from 0)",
                "  holes=fill|keep   fill holes (default: one polygon per object) or keep them (path ROIs)",
                "  python=FILE       an existing Python with samroi (default: the environment samroi installs)");
    }

    /** "help" was asked for: print {@link #usage()}. */
    public static final class HelpRequested extends SamException {
        private static final long serialVersionUID = 1L;

        HelpRequested() {
            super(usage(), "");
        }
    }

    private Path existingFile(String key, String extension) throws SamException {
        String v = values.get(key);
        if (v == null) return null;
        Path p = Paths.get(v).toAbsolutePath().normalize();
        if (!Files.isRegularFile(p)) throw bad(key + "=" + v + ": no such file");
        if (extension != null && !p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(extension)) {
            throw bad(key + "=" + v + ": expected a " + extension + " file");
        }
        return p;
    }

    private int index(String key) throws SamException {
        String v = values.get(key);
        if (v == null) return 0;
        try {
            int n = Integer.parseInt(v);
            if (n >= 0) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(key + "=" + v + ": slices and frames count from 0");
    }

    private void checkOutput(String key, String... extensions) throws SamException {
        String v = values.get(key);
        if (v == null || key.equals("labels") && v.equalsIgnoreCase("none")) return;
        String name = Paths.get(v).getFileName().toString().toLowerCase(Locale.ROOT);
        for (String e : extensions) {
            if (name.endsWith(e)) return;
        }
        throw bad(key + "=" + v + ": the file name must end with " + String.join(" or ", extensions));
    }

    private Path output(String key, Path imageFile, String suffix) throws SamException {
        String v = values.get(key);
        if (v != null) return Paths.get(v).toAbsolutePath().normalize();
        if (imageFile == null) {
            throw bad("the image has no file to name the outputs after; give " + key + "=FILE");
        }
        String name = imageFile.getFileName().toString();
        String base = name.replaceFirst("(?i)(\\.ome)?\\.[a-z0-9]+$", "");
        return imageFile.toAbsolutePath().normalize().resolveSibling(base + suffix);
    }

    private static SamException bad(String problem) {
        return new SamException("samroi batch: " + problem + ".", "Run with help to see the keys and their values.");
    }
}
