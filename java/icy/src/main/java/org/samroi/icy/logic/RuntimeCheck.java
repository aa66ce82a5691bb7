package org.samroi.icy.logic;

import java.net.URL;
import java.security.CodeSource;
import java.util.Collections;
import java.util.Map;

import org.apposed.appose.SharedMemory;
import org.apposed.appose.Types;

/**
 * Checks, at start, the two libraries samroi cannot do without and that another copy in the
 * host could shadow: JNA (appose maps shared memory with it; samroi needs JNA 5) and Groovy's
 * JSON (appose's messages). Icy's plugin class loader asks Icy's own libraries first, and among
 * plugin jars the first one indexed wins, so an older JNA elsewhere would be the one used; this
 * says so in words instead of failing later with a linkage error.
 */
public final class RuntimeCheck {

    private RuntimeCheck() {
    }

    /** null when samroi can run here, else what is wrong and what to do. */
    public static String problems() {
        StringBuilder out = new StringBuilder();
        try (SharedMemory shm = SharedMemory.create(64)) {
            shm.buf().put(0, (byte) 42);
            if (shm.buf().get(0) != 42) throw new IllegalStateException("shared memory did not keep a byte");
        } catch (Throwable t) {
            out.append("samroi cannot use shared memory: ").append(t).append(".\n")
                    .append(describeJna(jnaVersion(), where("com.sun.jna.Native"))).append('\n');
        }
        try {
            Map<String, Object> back = Types.decode(Types.encode(Collections.singletonMap("samroi", 1)));
            if (!Integer.valueOf(1).equals(back.get("samroi"))) throw new IllegalStateException("JSON round trip gave " + back);
        } catch (Throwable t) {
            out.append("samroi cannot encode its messages to the worker: ").append(t).append(".\n")
                    .append("Groovy comes from ").append(where("groovy.json.JsonOutput"))
                    .append("; samroi needs Groovy 4 (it ships groovy-4.0.23.jar and groovy-json-4.0.23.jar).\n");
        }
        return out.length() == 0 ? null : out.toString().trim();
    }

    /** What a JNA version means for samroi (version null when it is not known). */
    static String describeJna(String version, String location) {
        String from = "JNA " + (version == null ? "(version unknown)" : version) + " is loaded from " + location + ".";
        if (version != null && !version.startsWith("5.")) {
            return from + " samroi needs JNA 5 (it ships jna-5.14.0.jar and jna-platform-5.14.0.jar in its plugin folder); "
                    + "an older copy from Icy's libraries or another plugin wins over it. Remove or update that copy "
                    + "(or put samroi's two JNA jars in its place), then restart Icy.";
        }
        return from + " Make sure samroi's jna-5.14.0.jar and jna-platform-5.14.0.jar are in Icy's plugins folder, "
                + "then restart Icy.";
    }

    /** The JNA version that is loaded, or null (not loadable, or unknown). */
    static String jnaVersion() {
        try {
            Class<?> nativeClass = Class.forName("com.sun.jna.Native");
            Package p = nativeClass.getPackage();
            String v = p == null ? null : p.getImplementationVersion();
            if (v == null) v = (String) nativeClass.getField("VERSION").get(null); // the constant of the loaded copy
            return v;
        } catch (Throwable t) {
            return null;
        }
    }

    /** The jar a class is loaded from, for messages. */
    static String where(String className) {
        try {
            Class<?> c = Class.forName(className);
            CodeSource source = c.getProtectionDomain().getCodeSource();
            URL url = source == null ? null : source.getLocation();
            return url == null ? "the host's class path" : url.toString();
        } catch (Throwable t) {
            return "nowhere (" + className + " is missing)";
        }
    }
}
