package org.samroi.core;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

/** A model samroi can run, and the state of its official weights on this computer. */
public final class ModelInfo {

    private final String name;
    private final String title;
    private final boolean isDefault;
    private final boolean installed;
    private final String identity;
    private final String checkpoint;
    private final boolean loaded;

    ModelInfo(Map<String, Object> m) {
        this.name = String.valueOf(m.get("name"));
        this.title = String.valueOf(m.get("title"));
        this.isDefault = Boolean.TRUE.equals(m.get("default"));
        this.installed = Boolean.TRUE.equals(m.get("installed"));
        this.identity = String.valueOf(m.get("identity"));
        this.checkpoint = m.get("checkpoint") == null ? null : String.valueOf(m.get("checkpoint"));
        this.loaded = Boolean.TRUE.equals(m.get("loaded"));
    }

    /** The name used in options and macros, e.g. "efficientsam-ti". */
    public String name() {
        return name;
    }

    /** The name for people, e.g. "EfficientSAM-Ti". */
    public String title() {
        return title;
    }

    /** Whether this is the model used when none is chosen. */
    public boolean isDefault() {
        return isDefault;
    }

    /** Whether a file is installed where the official weights go. */
    public boolean installed() {
        return installed;
    }

    /** Whether the installed official weights verified: "ok", "missing", "mismatch", "unverified" or "error: ...". */
    public String identity() {
        return identity;
    }

    /** Whether the official weights are installed and verified (ready to use). */
    public boolean ready() {
        return installed && "ok".equals(identity);
    }

    /** Where the official weights are (or would be) installed. */
    public Path checkpoint() {
        return checkpoint == null ? null : Paths.get(checkpoint);
    }

    /** Whether the worker has this model loaded now. */
    public boolean loaded() {
        return loaded;
    }

    @Override
    public String toString() {
        return title + " (" + name + "): " + (ready() ? "installed" : identity) + (loaded ? ", loaded" : "");
    }
}
