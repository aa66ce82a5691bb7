package org.samroi.core.env;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Gets the uv executable from PyPI (the uv wheel, which carries the binary), verified against
 * the index's SHA-256, and caches it under the tools folder. Nothing else but PyPI is needed.
 */
final class UvTool {

    /** The uv version samroi uses (pinned for reproducible environments). */
    static final String VERSION = "0.9.5";

    static final String INDEX = "https://pypi.org/simple/uv/";

    private UvTool() {
    }

    /** Where the cached uv executable lives under toolsDir. */
    static Path cachedExecutable(Path toolsDir) {
        return toolsDir.resolve("uv-" + VERSION).resolve(PythonEnvironment.isWindows() ? "uv.exe" : "uv");
    }

    /** The uv executable, downloaded into toolsDir first if not there yet. */
    static Path ensure(Path toolsDir, Consumer<String> log, ProgressSink progress) throws IOException, InterruptedException {
        Path exe = cachedExecutable(toolsDir);
        if (Files.isRegularFile(exe) && Files.isExecutable(exe)) return exe;
        String tag = wheelPlatformTag();
        log.accept("Looking up uv " + VERSION + " for " + tag + " on " + INDEX);
        String html = new String(download(new URL(INDEX), null, null), StandardCharsets.UTF_8);
        Wheel wheel = findWheel(html, VERSION, tag);
        if (wheel == null) {
            throw new IOException("PyPI has no uv " + VERSION + " wheel for this computer (" + tag + ")");
        }
        log.accept("Downloading " + wheel.filename);
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] data = download(new URL(wheel.url), sha, progress);
        String actual = hex(sha.digest());
        if (!actual.equalsIgnoreCase(wheel.sha256)) {
            throw new IOException("uv download is corrupt (SHA-256 " + actual + ", expected " + wheel.sha256 + ")");
        }
        Files.createDirectories(exe.getParent());
        Path tmp = Files.createTempFile(exe.getParent(), "uv-", ".part");
        try {
            boolean found = false;
            try (ZipInputStream zip = new ZipInputStream(new java.io.ByteArrayInputStream(data))) {
                for (ZipEntry e; (e = zip.getNextEntry()) != null;) {
                    String name = e.getName();
                    if (name.matches("uv-[^/]+\\.data/scripts/" + Pattern.quote(exe.getFileName().toString()))) {
                        Files.copy(zip, tmp, StandardCopyOption.REPLACE_EXISTING);
                        found = true;
                        break;
                    }
                }
            }
            if (!found) throw new IOException("the uv wheel " + wheel.filename + " holds no uv executable");
            tmp.toFile().setExecutable(true, false);
            try {
                Files.move(tmp, exe, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, exe, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        log.accept("uv " + VERSION + " saved to " + exe);
        return exe;
    }

    interface ProgressSink {
        void progress(String message, long current, long maximum);
    }

    static final class Wheel {
        final String filename;
        final String url;
        final String sha256;

        Wheel(String filename, String url, String sha256) {
            this.filename = filename;
            this.url = url;
            this.sha256 = sha256;
        }
    }

    /** Pick the wheel of version for a platform tag fragment from a PEP 503 simple index page. */
    static Wheel findWheel(String html, String version, String tag) {
        Matcher m = Pattern.compile("<a\\s+href=\"([^\"#]+)#sha256=([0-9a-fA-F]{64})\"[^>]*>([^<]+)</a>").matcher(html);
        List<Wheel> matches = new ArrayList<>();
        String prefix = "uv-" + version + "-";
        while (m.find()) {
            String filename = m.group(3).trim();
            if (!filename.startsWith(prefix) || !filename.endsWith(".whl")) continue;
            if (!matchesTag(filename, tag)) continue;
            String url = m.group(1).replace("&amp;", "&");
            matches.add(new Wheel(filename, url, m.group(2)));
        }
        return matches.isEmpty() ? null : matches.get(0);
    }

    private static boolean matchesTag(String filename, String tag) {
        String[] parts = tag.split("\\+");
        for (String p : parts) {
            if (p.startsWith("!")) {
                if (filename.contains(p.substring(1))) return false;
            } else if (!filename.contains(p)) {
                return false;
            }
        }
        return true;
    }

    /** Fragments a wheel name must (or, with !, must not) contain for this computer, joined by +. */
    static String wheelPlatformTag() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
        boolean arm64 = arch.equals("aarch64") || arch.equals("arm64");
        if (os.startsWith("windows")) return x64 ? "win_amd64" : arm64 ? "win_arm64" : "win32";
        if (os.startsWith("mac") || os.startsWith("darwin")) return "macosx+" + (x64 ? "x86_64" : "arm64");
        return "manylinux+" + (x64 ? "x86_64" : arm64 ? "aarch64" : arch) + "+!musllinux";
    }

    private static byte[] download(URL url, MessageDigest sha, ProgressSink progress) throws IOException, InterruptedException {
        HttpURLConnection c = (HttpURLConnection) url.openConnection();
        c.setConnectTimeout(30_000);
        c.setReadTimeout(120_000);
        c.setRequestProperty("User-Agent", "samroi-installer");
        int code = c.getResponseCode();
        if (code != 200) throw new IOException("HTTP " + code + " from " + url);
        long total = c.getContentLengthLong();
        try (InputStream raw = c.getInputStream();
                InputStream in = sha == null ? raw : new DigestInputStream(raw, sha)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(total > 0 ? (int) total : 1 << 16);
            copy(in, out, total, progress);
            return out.toByteArray();
        } finally {
            c.disconnect();
        }
    }

    private static void copy(InputStream in, OutputStream out, long total, ProgressSink progress)
            throws IOException, InterruptedException {
        byte[] buf = new byte[1 << 16];
        long done = 0;
        long lastReport = 0;
        for (int n; (n = in.read(buf)) > 0;) {
            if (Thread.interrupted()) throw new InterruptedException();
            out.write(buf, 0, n);
            done += n;
            if (progress != null && done - lastReport > (1 << 20)) {
                progress.progress("Downloading uv", done, Math.max(total, 0));
                lastReport = done;
            }
        }
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) sb.append(String.format("%02x", b & 0xff));
        return sb.toString();
    }
}
