package org.samroi.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Facts about this build of samroi, fixed when the jar was made. */
public final class SamroiBuild {

    private static final Properties PROPS = load();

    private SamroiBuild() {
    }

    /** The samroi version (Maven project version = Python package version). */
    public static String version() {
        return PROPS.getProperty("version", "unknown");
    }

    /**
     * The appose version of this build; the managed Python environment gets the same version of
     * the Python appose package.
     */
    public static String apposeVersion() {
        return PROPS.getProperty("appose.version", "unknown");
    }

    private static Properties load() {
        Properties props = new Properties();
        try (InputStream in = SamroiBuild.class.getResourceAsStream("samroi-build.properties")) {
            if (in != null) props.load(in);
        } catch (IOException e) {
            // leave empty: version() then says "unknown"
        }
        return props;
    }
}
