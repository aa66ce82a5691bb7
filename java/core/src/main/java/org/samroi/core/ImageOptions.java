package org.samroi.core;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * How samroi looks at an image: the model (and its weights), the intensity normalisation and
 * the channel(s) shown to the model. Immutable; change it with the {@code with...} methods:
 *
 * <pre>
 * ImageOptions.defaults().withModel("mobilesam").withNormalize("range:0,4095")
 * </pre>
 */
public final class ImageOptions {

    /** The model used when none is chosen. */
    public static final String DEFAULT_MODEL = "efficientsam-ti";
    private static final ImageOptions DEFAULTS = new ImageOptions(DEFAULT_MODEL, null, "percentile", null, null, "onnx");

    private final String model;
    private final Path checkpoint;
    private final String normalize;
    private final Integer channel;
    private final int[] rgbChannels;
    private final String runtime;

    private ImageOptions(String model, Path checkpoint, String normalize, Integer channel, int[] rgbChannels,
            String runtime) {
        this.model = model;
        this.checkpoint = checkpoint;
        this.normalize = normalize;
        this.channel = channel;
        this.rgbChannels = rgbChannels;
        this.runtime = runtime;
    }

    /** EfficientSAM-Ti with its installed official weights, percentile normalisation, all channels. */
    public static ImageOptions defaults() {
        return DEFAULTS;
    }

    /** efficientsam-ti, efficientsam-s or mobilesam. */
    public ImageOptions withModel(String model) {
        return new ImageOptions(Objects.requireNonNull(model, "model"), checkpoint, normalize, channel, rgbChannels,
                runtime);
    }

    /** A checkpoint file to use instead of the installed official weights (null: the official ones). */
    public ImageOptions withCheckpoint(Path checkpoint) {
        return new ImageOptions(model, checkpoint, normalize, channel, rgbChannels, runtime);
    }

    /**
     * Intensity scaling to [0, 1]: "percentile" (1 - 99.8, the default), "percentile:LO,HI",
     * "minmax" or "range:LO,HI" (e.g. "range:0,255").
     */
    public ImageOptions withNormalize(String normalize) {
        return new ImageOptions(model, checkpoint, Objects.requireNonNull(normalize, "normalize"), channel, rgbChannels,
                runtime);
    }

    /** One channel (0-based) of a multichannel image shown as gray; null: all channels. */
    public ImageOptions withChannel(Integer channel) {
        return new ImageOptions(model, checkpoint, normalize, channel, channel == null ? rgbChannels : null, runtime);
    }

    /** Up to three channels (0-based) shown to the model as red, green, blue; null: none chosen. */
    public ImageOptions withRgbChannels(int... channels) {
        int[] c = channels == null || channels.length == 0 ? null : channels.clone();
        return new ImageOptions(model, checkpoint, normalize, c == null ? channel : null, c, runtime);
    }

    /** "onnx" (default) or "torch" (needs PyTorch in the Python environment). */
    public ImageOptions withRuntime(String runtime) {
        return new ImageOptions(model, checkpoint, normalize, channel, rgbChannels,
                Objects.requireNonNull(runtime, "runtime"));
    }

    public String model() {
        return model;
    }

    /** The checkpoint file, or null for the installed official weights. */
    public Path checkpoint() {
        return checkpoint;
    }

    public String normalize() {
        return normalize;
    }

    /** The channel shown as gray, or null. */
    public Integer channel() {
        return channel;
    }

    /** The channels shown as R, G, B, or null. */
    public int[] rgbChannels() {
        return rgbChannels == null ? null : rgbChannels.clone();
    }

    public String runtime() {
        return runtime;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ImageOptions)) return false;
        ImageOptions x = (ImageOptions) o;
        return model.equals(x.model) && Objects.equals(checkpoint, x.checkpoint) && normalize.equals(x.normalize)
                && Objects.equals(channel, x.channel) && Arrays.equals(rgbChannels, x.rgbChannels)
                && runtime.equals(x.runtime);
    }

    @Override
    public int hashCode() {
        return Objects.hash(model, checkpoint, normalize, channel, Arrays.hashCode(rgbChannels), runtime);
    }

    @Override
    public String toString() {
        return "ImageOptions[model=" + model + (checkpoint == null ? "" : ", checkpoint=" + checkpoint) + ", normalize="
                + normalize + (channel == null ? "" : ", channel=" + channel)
                + (rgbChannels == null ? "" : ", rgb=" + Arrays.toString(rgbChannels)) + ", runtime=" + runtime + "]";
    }
}
