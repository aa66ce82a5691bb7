package org.samroi.ij;

import ij.gui.Roi;
import ij.io.RoiEncoder;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * RoiSet .zip files as the ROI Manager writes them (one ImageJ .roi entry per ROI, encoded by
 * ImageJ's own {@link RoiEncoder}), without needing a ROI Manager window, so also headless.
 */
public final class RoiSets {

    private RoiSets() {
    }

    /**
     * Write rois to zip (entries named after the ROIs; duplicates get -2, -3...). The file is
     * written under a temporary name and moved into place, so a failure leaves no half file.
     */
    public static void save(Roi[] rois, Path zip) throws IOException {
        Path dir = zip.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        // Not Files.createTempFile: its files are private (0600); this one gets the umask's permissions.
        Path tmp = zip.resolveSibling("." + zip.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".tmp");
        try {
            try (OutputStream file = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW);
                    ZipOutputStream out = new ZipOutputStream(new BufferedOutputStream(file))) {
                DataOutputStream data = new DataOutputStream(out);
                RoiEncoder encoder = new RoiEncoder(data);
                Set<String> used = new HashSet<>();
                for (int i = 0; i < rois.length; i++) {
                    Roi roi = rois[i];
                    if (roi == null) continue;
                    String base = roi.getName() != null ? roi.getName() : String.format("%04d", i + 1);
                    String name = base;
                    for (int n = 2; !used.add(name); n++) name = base + "-" + n;
                    out.putNextEntry(new ZipEntry(name + ".roi"));
                    encoder.write(roi);
                    data.flush();
                    out.closeEntry();
                }
            }
            Files.move(tmp, zip, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
