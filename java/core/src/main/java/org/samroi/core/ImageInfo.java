package org.samroi.core;

import java.util.List;
import java.util.Map;

/** What the worker reports about the image it now segments (see {@link SamSession#setImage}). */
public final class ImageInfo {

    private final int width;
    private final int height;
    private final int channels;
    private final String dtype;
    private final String model;
    private final String modelTitle;
    private final String runtime;
    private final String checkpoint;
    private final String normalize;
    private final String normalization;
    private final int tiles;
    private final boolean modelLoaded;
    private final double workerSeconds;
    private final long workerPid;

    ImageInfo(Map<String, Object> out, long workerPid) {
        List<?> shape = (List<?>) out.get("shape");
        this.height = ((Number) shape.get(0)).intValue();
        this.width = ((Number) shape.get(1)).intValue();
        this.channels = ((Number) out.get("channels")).intValue();
        this.dtype = String.valueOf(out.get("dtype"));
        this.model = String.valueOf(out.get("model"));
        this.modelTitle = String.valueOf(out.get("title"));
        this.runtime = String.valueOf(out.get("runtime"));
        this.checkpoint = out.get("checkpoint") == null ? null : String.valueOf(out.get("checkpoint"));
        this.normalize = String.valueOf(out.get("normalize"));
        this.normalization = String.valueOf(out.get("normalization"));
        this.tiles = ((Number) out.get("tiles")).intValue();
        this.modelLoaded = Boolean.TRUE.equals(out.get("model_loaded"));
        this.workerSeconds = ((Number) out.get("seconds")).doubleValue();
        this.workerPid = workerPid;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** 1 for gray, 3 for RGB. */
    public int channels() {
        return channels;
    }

    /** The numpy pixel type the worker sees, e.g. "uint16". */
    public String dtype() {
        return dtype;
    }

    /** The model name, e.g. "efficientsam-ti". */
    public String model() {
        return model;
    }

    /** The model's name for people, e.g. "EfficientSAM-Ti". */
    public String modelTitle() {
        return modelTitle;
    }

    public String runtime() {
        return runtime;
    }

    /** The checkpoint file used (absolute), or null for the installed official weights. */
    public String checkpoint() {
        return checkpoint;
    }

    /** The normalisation asked for, in its full form (e.g. "percentile:1,99.8"). */
    public String normalize() {
        return normalize;
    }

    /** The normalisation used, with the intensity limits found (e.g. "percentile 1–99.8: 5424..65535"). */
    public String normalization() {
        return normalization;
    }

    /** How many 1024-pixel tiles cover the image (1 for images up to 1024 x 1024). */
    public int tiles() {
        return tiles;
    }

    /** Whether the model was loaded by this call (false: it was already loaded). */
    public boolean modelLoaded() {
        return modelLoaded;
    }

    /** Time the worker spent on the call (loading the model, normalisation), in seconds. */
    public double workerSeconds() {
        return workerSeconds;
    }

    /** The worker process that holds this image. */
    long workerPid() {
        return workerPid;
    }

    @Override
    public String toString() {
        return "ImageInfo[" + width + " x " + height + (channels > 1 ? " x " + channels : "") + " " + dtype + ", "
                + modelTitle + (checkpoint == null ? "" : " (" + checkpoint + ")") + ", " + normalization + ", " + tiles
                + (tiles == 1 ? " tile]" : " tiles]");
    }
}
