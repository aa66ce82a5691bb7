package org.samroi.ij;

import ij.ImagePlus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.samroi.core.ImageOptions;
import org.samroi.core.SamException;
import org.samroi.core.SegmentOptions;
import org.samroi.core.UnknownModelException;

/**
 * The options every segmenting command and scripting call shares, read from macro options on
 * top of the plugin settings:
 *
 * <pre>
 *   model=efficientsam-ti|efficientsam-s|mobilesam   (default: the Settings' model)
 *   checkpoint=[FILE]      a checkpoint file instead of the installed official weights
 *   normalize=percentile   intensity scaling: percentile, percentile:LO,HI, minmax, range:LO,HI
 *   all_parts              keep every part of an object (default: its largest part only)
 *   simplify=0             outline simplification tolerance in pixels (0: exact pixel outlines)
 *   channel=C slice=Z frame=T   the plane to segment (1-based; default: the current one)
 * </pre>
 */
public final class CommonOptions {

    public static final List<String> KEYS = Collections.unmodifiableList(Arrays.asList("model", "checkpoint",
            "normalize", "all_parts", "simplify", "channel", "slice", "frame"));

    private final ImageOptions imageOptions;
    private final SegmentOptions segmentOptions;
    private final MacroOptions options;

    private CommonOptions(ImageOptions imageOptions, SegmentOptions segmentOptions, MacroOptions options) {
        this.imageOptions = imageOptions;
        this.segmentOptions = segmentOptions;
        this.options = options;
    }

    /** The shared options of options, with settings for what they leave out. */
    public static CommonOptions read(MacroOptions options, PluginSettings settings) throws SamException {
        String model = options.get("model", settings.model()).trim();
        if (!Arrays.asList(PluginSettings.MODELS).contains(model)) {
            throw new UnknownModelException(model, "Unknown model '" + model + "'; samroi has "
                    + String.join(", ", PluginSettings.MODELS) + ".");
        }
        Path checkpoint = settings.checkpoint();
        if (options.has("checkpoint")) {
            String file = options.get("checkpoint", "").trim();
            checkpoint = file.isEmpty() ? null : Paths.get(file);
        } else if (options.has("model") && !model.equals(settings.model())) {
            checkpoint = null; // the Settings' checkpoint belongs to the Settings' model
        }
        if (checkpoint != null && !Files.isRegularFile(checkpoint)) {
            throw new SamException("The checkpoint file " + checkpoint + " does not exist.",
                    "Give the path of a checkpoint file of " + model + " (checkpoint=[FILE]), or leave checkpoint out "
                            + "to use the installed official weights.");
        }
        ImageOptions image = ImageOptions.defaults().withModel(model).withCheckpoint(checkpoint);
        String normalize = options.get("normalize", "").trim();
        if (!normalize.isEmpty()) image = image.withNormalize(normalize);
        SegmentOptions segment = SegmentOptions.defaults().withAllComponents(options.flag("all_parts"))
                .withSimplify(options.number("simplify", 0));
        return new CommonOptions(image, segment, options);
    }

    public ImageOptions imageOptions() {
        return imageOptions;
    }

    public SegmentOptions segmentOptions() {
        return segmentOptions;
    }

    public String model() {
        return imageOptions.model();
    }

    /**
     * The plane to segment: channel=, slice=, frame= where given, the current position for the
     * rest. A macro on a 5D hyperstack must give at least one of them (see
     * {@link ImagePlanes#isFiveD}).
     */
    public ImagePlanes.Plane plane(ImagePlus imp, boolean macro) throws SamException {
        if (imp == null) return ImagePlanes.current(null);
        boolean chosen = options.has("channel") || options.has("slice") || options.has("frame");
        if (!chosen) {
            if (macro && ImagePlanes.isFiveD(imp)) throw ImagePlanes.noPlaneChosen(imp);
            return ImagePlanes.current(imp);
        }
        return ImagePlanes.at(imp, options.position("channel", imp.getChannel()), options.position("slice", imp.getSlice()),
                options.position("frame", imp.getFrame()));
    }

    /** These options for the recorder: model, plane position, and what differs from the defaults. */
    static OptionList record(ImageOptions image, SegmentOptions segment, ImagePlanes.Plane plane) {
        OptionList list = new OptionList().put("model", image.model());
        if (image.checkpoint() != null) list.put("checkpoint", image.checkpoint());
        if (!image.normalize().equals(ImageOptions.defaults().normalize())) list.put("normalize", image.normalize());
        list.flag("all_parts", segment.allComponents());
        if (segment.simplify() > 0) list.put("simplify", segment.simplify());
        ImagePlus imp = plane.image();
        if (imp.getNChannels() > 1) list.put("channel", plane.channel());
        if (imp.getNSlices() > 1) list.put("slice", plane.slice());
        if (imp.getNFrames() > 1) list.put("frame", plane.frame());
        return list;
    }
}
