package org.samroi.core;

/** The Python side of samroi is a different version from the Java plugin. */
public class VersionMismatchException extends SamException {

    private static final long serialVersionUID = 1L;

    private final String javaVersion;
    private final String pythonVersion;

    public VersionMismatchException(String javaVersion, String pythonVersion, String where) {
        super("The samroi Python environment (" + where + ") has samroi " + pythonVersion
                + " but this plugin is samroi " + javaVersion + "; they must be the same version.",
                "Reinstall the samroi Python environment (samroi > Install Python environment), "
                        + "or update the plugin so that both have the same version.");
        this.javaVersion = javaVersion;
        this.pythonVersion = pythonVersion;
    }

    public String javaVersion() {
        return javaVersion;
    }

    public String pythonVersion() {
        return pythonVersion;
    }
}
