package org.samroi.core.env;

/** The state of a managed environment folder. */
public enum EnvironmentStatus {
    /** Installed, smoke-tested, and made from the Python sources shipped in this plugin. */
    READY,
    /** No environment there yet. */
    MISSING,
    /** An install started but did not finish (failed or interrupted); the next install repairs it. */
    INCOMPLETE,
    /** Installed by another samroi version; the next install rebuilds it. */
    OUTDATED,
    /** The folder holds other files: samroi will not install into it or delete it. */
    FOREIGN
}
