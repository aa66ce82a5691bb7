package org.samroi.ij;

import java.net.URL;
import java.security.CodeSource;
import org.samroi.core.SamException;

/**
 * Checks that the JNA library on the class path is new enough for appose, which maps the
 * image's shared memory with {@code com.sun.jna.Native.load(String, Class)} (JNA 5.0 and
 * later). An older JNA (some Fiji installations ship 4.x) would otherwise fail later with a
 * NoSuchMethodError in the middle of a segmentation.
 */
public final class JnaCheck {

    /** The oldest JNA appose 0.7.0 works with. */
    public static final String MINIMUM = "5.0.0";

    private JnaCheck() {
    }

    /** The version JNA's jar declares (e.g. "5.14.0"), "none" when JNA is missing, "unknown" when undeclared. */
    public static String version() {
        try {
            Package p = nativeClass().getPackage();
            String v = p == null ? null : p.getImplementationVersion();
            if (v == null || v.trim().isEmpty()) return "unknown";
            return v.trim().split("\\s+")[0]; // "5.14.0 (b0)"
        } catch (ClassNotFoundException | LinkageError e) {
            return "none";
        }
    }

    /** com.sun.jna.Native, not initialised (that would load JNA's native library). */
    private static Class<?> nativeClass() throws ClassNotFoundException {
        return Class.forName("com.sun.jna.Native", false, JnaCheck.class.getClassLoader());
    }

    /** The jar JNA was loaded from, or "?" when unknown. */
    public static String location() {
        try {
            CodeSource source = nativeClass().getProtectionDomain().getCodeSource();
            URL url = source == null ? null : source.getLocation();
            return url == null ? "?" : url.getPath();
        } catch (ClassNotFoundException | LinkageError | SecurityException e) {
            return "?";
        }
    }

    /** Whether the JNA in use offers what appose needs. */
    public static boolean isUsable() {
        try {
            nativeClass().getMethod("load", String.class, Class.class);
            return true;
        } catch (ClassNotFoundException | NoSuchMethodException | LinkageError e) {
            return false;
        }
    }

    /** Throws, saying exactly what to do, unless the JNA in use is new enough. */
    public static void require() throws SamException {
        if (isUsable()) return;
        String found = version();
        if ("none".equals(found)) {
            throw new SamException("samroi needs the JNA library (version " + MINIMUM + " or newer), which is not installed.",
                    "Copy jna-5.14.0.jar and jna-platform-5.14.0.jar from samroi's download (the jars folder) into "
                            + "Fiji's jars folder (plain ImageJ: plugins/jars), then restart ImageJ.");
        }
        throw new SamException("samroi needs JNA " + MINIMUM + " or newer, but ImageJ loaded JNA " + found + " from "
                + location() + ".",
                "Quit ImageJ; delete that file and any other jna-4*.jar or jna-platform-4*.jar in the jars and "
                        + "plugins folders; copy jna-5.14.0.jar and jna-platform-5.14.0.jar from samroi's download (the "
                        + "jars folder) into the folder the old file was in; start ImageJ again. (In Fiji, "
                        + "Help > Update... also installs a current JNA.)");
    }
}
