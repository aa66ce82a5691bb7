package org.samroi.core.env;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The samroi Python package as shipped inside this jar (resources under /samroi-python/:
 * pyproject.toml, README.md, python/samroi/...), copied there by the Maven build. It is what
 * gets installed into managed environments, so Java and Python always come from one build.
 */
public final class ShippedPython {

    static final String ROOT = "samroi-python/";
    private static final String ANCHOR = ROOT + "pyproject.toml";

    private static volatile List<String> entries;
    private static volatile String sha256;

    private ShippedPython() {
    }

    /** Paths of the shipped files relative to /samroi-python/, sorted. */
    public static synchronized List<String> entries() throws IOException {
        if (entries == null) entries = Collections.unmodifiableList(list());
        return entries;
    }

    /** SHA-256 over the shipped files (paths and contents), in hex. */
    public static synchronized String sha256() throws IOException {
        if (sha256 == null) {
            MessageDigest md;
            try {
                md = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            for (String entry : entries()) {
                byte[] content = read(entry);
                md.update(entry.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(Long.toString(content.length).getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(content);
            }
            StringBuilder hex = new StringBuilder();
            for (byte b : md.digest()) hex.append(String.format("%02x", b & 0xff));
            sha256 = hex.toString();
        }
        return sha256;
    }

    /** The version in the shipped pyproject.toml. */
    public static String pyprojectVersion() throws IOException {
        return pyprojectVersion(new String(read("pyproject.toml"), StandardCharsets.UTF_8));
    }

    /** The [project] version of a pyproject.toml text (null if absent). */
    public static String pyprojectVersion(String toml) {
        Matcher m = Pattern.compile("(?ms)^\\[project\\]\\s*$(.*?)(?=^\\[|\\z)").matcher(toml);
        if (!m.find()) return null;
        Matcher v = Pattern.compile("(?m)^version\\s*=\\s*\"([^\"]+)\"").matcher(m.group(1));
        return v.find() ? v.group(1) : null;
    }

    /** The [project] dependencies of a pyproject.toml text, in order. */
    public static List<String> pyprojectDependencies(String toml) {
        List<String> deps = new ArrayList<>();
        Matcher m = Pattern.compile("(?ms)^\\[project\\]\\s*$(.*?)(?=^\\[|\\z)").matcher(toml);
        if (!m.find()) return deps;
        Matcher d = Pattern.compile("(?ms)^dependencies\\s*=\\s*\\[(.*?)\\]").matcher(m.group(1));
        if (!d.find()) return deps;
        Matcher s = Pattern.compile("\"([^\"]+)\"").matcher(d.group(1));
        while (s.find()) deps.add(s.group(1));
        return deps;
    }

    /** The shipped dependencies (from the shipped pyproject.toml). */
    public static List<String> dependencies() throws IOException {
        return pyprojectDependencies(new String(read("pyproject.toml"), StandardCharsets.UTF_8));
    }

    /** Copy the shipped files into dir (created; existing files replaced); returns dir. */
    public static Path extractTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String entry : entries()) {
            Path target = dir.resolve(entry.replace('/', File.separatorChar)).normalize();
            if (!target.startsWith(dir)) throw new IOException("bad resource path " + entry);
            Files.createDirectories(target.getParent());
            try (InputStream in = open(entry)) {
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return dir;
    }

    static byte[] read(String entry) throws IOException {
        try (InputStream in = open(entry)) {
            return readAll(in);
        }
    }

    static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        for (int n; (n = in.read(buf)) > 0;) out.write(buf, 0, n);
        return out.toByteArray();
    }

    private static InputStream open(String entry) throws IOException {
        InputStream in = ShippedPython.class.getClassLoader() == null ? null
                : ShippedPython.class.getClassLoader().getResourceAsStream(ROOT + entry);
        if (in == null) in = ShippedPython.class.getResourceAsStream("/" + ROOT + entry);
        if (in == null) throw missing();
        return in;
    }

    private static IOException missing() {
        return new IOException("The samroi Python sources are missing from the plugin (" + ANCHOR
                + " not found); the plugin jar is damaged or was built incorrectly.");
    }

    private static List<String> list() throws IOException {
        URL anchor = ShippedPython.class.getResource("/" + ANCHOR);
        if (anchor == null) throw missing();
        List<String> result = new ArrayList<>();
        if ("file".equals(anchor.getProtocol())) {
            Path root;
            try {
                root = Paths.get(anchor.toURI()).getParent();
            } catch (URISyntaxException e) {
                throw new IOException(e);
            }
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(Files::isRegularFile).forEach(p -> result.add(root.relativize(p).toString().replace(File.separatorChar, '/')));
            }
        } else {
            URLConnection connection = anchor.openConnection();
            if (connection instanceof JarURLConnection) {
                connection.setUseCaches(false);
                try (ZipFile jar = new ZipFile(jarFile((JarURLConnection) connection))) {
                    listZip(jar, result);
                }
            } else {
                try (ZipFile jar = new ZipFile(codeSourceJar())) {
                    listZip(jar, result);
                }
            }
        }
        result.removeIf(p -> p.contains("__pycache__/") || p.endsWith(".pyc"));
        Collections.sort(result);
        if (!result.contains("pyproject.toml")) throw missing();
        return result;
    }

    private static File jarFile(JarURLConnection connection) throws IOException {
        try {
            return new File(connection.getJarFileURL().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return codeSourceJar();
        }
    }

    private static File codeSourceJar() throws IOException {
        CodeSource source = ShippedPython.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) throw missing();
        try {
            return new File(source.getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }

    private static void listZip(ZipFile jar, List<String> result) {
        Enumeration<? extends ZipEntry> en = jar.entries();
        while (en.hasMoreElements()) {
            ZipEntry e = en.nextElement();
            if (!e.isDirectory() && e.getName().startsWith(ROOT)) result.add(e.getName().substring(ROOT.length()));
        }
    }
}
