package org.samroi.icy.logic;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.prefs.Preferences;

import org.samroi.core.ImageOptions;
import org.samroi.core.env.InstallMethod;

/** The Icy plugin's choices, kept between sessions in Java preferences (org/samroi/icy). */
public final class Settings {

    private final Preferences node;

    public Settings(Preferences node) {
        this.node = node;
    }

    /** System property that moves the settings to another preferences node (tests use their own). */
    public static final String NODE_PROPERTY = "samroi.icy.preferences";

    /** The user's settings (node org/samroi/icy, or the one named by {@link #NODE_PROPERTY}). */
    public static Settings user() {
        return new Settings(Preferences.userRoot().node(System.getProperty(NODE_PROPERTY, "org/samroi/icy")));
    }

    public SamModel model() {
        try {
            return SamModel.fromId(node.get("model", ImageOptions.DEFAULT_MODEL));
        } catch (IllegalArgumentException e) {
            return SamModel.fromId(ImageOptions.DEFAULT_MODEL);
        }
    }

    public void setModel(SamModel model) {
        node.put("model", model.id());
    }

    /** A checkpoint file used instead of the installed official weights, or null. */
    public Path checkpoint() {
        String c = node.get("checkpoint", "");
        return c.isEmpty() ? null : Paths.get(c);
    }

    public void setCheckpoint(Path checkpoint) {
        node.put("checkpoint", checkpoint == null ? "" : checkpoint.toString());
    }

    public String normalize() {
        return node.get("normalize", "percentile");
    }

    public void setNormalize(String normalize) {
        node.put("normalize", normalize);
    }

    public ChannelChoice channel() {
        try {
            return ChannelChoice.parse(node.get("channel", "auto"));
        } catch (IllegalArgumentException e) {
            return ChannelChoice.auto();
        }
    }

    public void setChannel(ChannelChoice channel) {
        node.put("channel", channel.text());
    }

    /** Whether point and rectangle ROIs used as prompts stay on the sequence (default: removed). */
    public boolean keepPrompts() {
        return node.getBoolean("keepPrompts", false);
    }

    public void setKeepPrompts(boolean keep) {
        node.putBoolean("keepPrompts", keep);
    }

    /** Whether clicks and drags on the image (no ROI tool selected) are prompts (default: yes). */
    public boolean clickToSegment() {
        return node.getBoolean("clickToSegment", true);
    }

    public void setClickToSegment(boolean on) {
        node.putBoolean("clickToSegment", on);
    }

    /** Whether holes are kept (the outline is then an Icy path ROI); default: filled, one polygon. */
    public boolean keepHoles() {
        return node.getBoolean("keepHoles", false);
    }

    public void setKeepHoles(boolean keep) {
        node.putBoolean("keepHoles", keep);
    }

    /** An existing Python with samroi to use instead of the environment samroi installs, or null. */
    public Path python() {
        String p = node.get("python", "");
        return p.isEmpty() ? null : Paths.get(p);
    }

    public void setPython(Path python) {
        node.put("python", python == null ? "" : python.toString());
    }

    /** How samroi installs its environment: micromamba (default) or uv. */
    public InstallMethod installMethod() {
        return "uv".equals(node.get("install", "micromamba")) ? InstallMethod.UV : InstallMethod.MICROMAMBA;
    }

    public void setInstallMethod(InstallMethod method) {
        node.put("install", method == InstallMethod.UV ? "uv" : "micromamba");
    }

    /** The worker's image options these settings make (channels are applied per image). */
    public ImageOptions imageOptions() {
        return ImageOptions.defaults().withModel(model().id()).withCheckpoint(checkpoint()).withNormalize(normalize());
    }
}
