package org.samroi.core.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samroi.core.EnvironmentInstallException;
import org.samroi.core.EnvironmentMissingException;
import org.samroi.core.SamroiBuild;
import org.samroi.core.TestSupport;

/** The installer's bookkeeping, and the existing-Python variant (fast; no downloads). */
class EnvironmentInstallerTest {

    @TempDir
    Path tmp;

    @Test
    void defaultLocationIsPerUserAndConfigurable() {
        String os = System.getProperty("os.name").toLowerCase();
        Path data = EnvironmentInstaller.defaultDataDirectory();
        if (System.getenv("SAMROI_HOME") == null && os.startsWith("linux") && System.getenv("XDG_DATA_HOME") == null) {
            assertEquals(Paths.get(System.getProperty("user.home"), ".local", "share", "samroi"), data);
        }
        assertEquals(data.resolve("env"), EnvironmentInstaller.defaultLocation());
        System.setProperty(EnvironmentInstaller.LOCATION_PROPERTY, tmp.resolve("elsewhere ü").toString());
        try {
            assertEquals(tmp.resolve("elsewhere ü"), EnvironmentInstaller.defaultLocation());
            assertEquals(tmp.resolve("elsewhere ü"), new EnvironmentInstaller().location());
        } finally {
            System.clearProperty(EnvironmentInstaller.LOCATION_PROPERTY);
        }
    }

    @Test
    void statusFollowsTheMarker() throws Exception {
        Path root = tmp.resolve("env ü");
        EnvironmentInstaller inst = new EnvironmentInstaller().location(root).method(InstallMethod.UV);
        assertEquals(EnvironmentStatus.MISSING, inst.status());
        assertThrows(EnvironmentMissingException.class, inst::load);

        Files.createDirectories(root.resolve("python/bin"));
        Files.write(root.resolve(EnvironmentInstaller.OWNER_FILE), new byte[0]);
        assertEquals(EnvironmentStatus.INCOMPLETE, inst.status());
        EnvironmentMissingException e = assertThrows(EnvironmentMissingException.class, inst::load);
        assertTrue(e.getMessage().contains("incomplete"), e.getMessage());

        Path python = root.resolve("python/bin/python");
        Files.write(python, new byte[0]);
        Properties marker = new Properties();
        marker.setProperty("samroi.version", SamroiBuild.version());
        marker.setProperty("sources.sha256", ShippedPython.sha256());
        marker.setProperty("python", "python/bin/python");
        marker.setProperty("method", "UV");
        write(root.resolve(EnvironmentInstaller.MARKER_FILE), marker);
        assertEquals(EnvironmentStatus.READY, inst.status());
        assertEquals(python, inst.load().python());

        marker.setProperty("sources.sha256", "0000");
        write(root.resolve(EnvironmentInstaller.MARKER_FILE), marker);
        assertEquals(EnvironmentStatus.OUTDATED, inst.status());
        marker.setProperty("sources.sha256", ShippedPython.sha256());
        marker.setProperty("samroi.version", "0.0.1");
        write(root.resolve(EnvironmentInstaller.MARKER_FILE), marker);
        assertEquals(EnvironmentStatus.OUTDATED, inst.status());

        inst.delete();
        assertTrue(!Files.exists(root));
    }

    @Test
    void neverInstallsIntoOrDeletesAForeignFolder() throws Exception {
        Path root = tmp.resolve("my data");
        Files.createDirectories(root);
        Path precious = root.resolve("thesis.docx");
        Files.write(precious, "precious".getBytes(StandardCharsets.UTF_8));
        EnvironmentInstaller inst = new EnvironmentInstaller().location(root).method(InstallMethod.UV);
        assertEquals(EnvironmentStatus.FOREIGN, inst.status());
        EnvironmentMissingException e = assertThrows(EnvironmentMissingException.class, inst::install);
        assertTrue(e.getMessage().contains("Choose a new or empty folder"), e.getMessage());
        assertThrows(IOException.class, inst::delete);
        assertTrue(Files.exists(precious));
    }

    @Test
    void existingPythonWithSamroiIsCheckedAndUsedAsIs() throws Exception {
        EnvironmentInstaller inst = new EnvironmentInstaller().existingPython(TestSupport.python());
        PythonEnvironment env = inst.install();
        assertEquals(InstallMethod.EXISTING_PYTHON, env.method());
        assertTrue(Files.isRegularFile(env.python()), env.python().toString());
        assertEquals(EnvironmentStatus.READY, inst.status());
        assertTrue(!env.workerCommand().contains("-I"), "a user's Python keeps its own settings");
    }

    @Test
    void existingPythonWithoutSamroiIsRefusedWithItsError() throws Exception {
        Path bare = org.samroi.core.TestSupport.pythonWithoutSamroi(tmp);
        assumeTrue(bare != null, "this machine has no Python without samroi (/usr/bin/python3)");
        EnvironmentInstallException e = assertThrows(EnvironmentInstallException.class,
                () -> new EnvironmentInstaller().existingPython(bare).install());
        assertTrue(e.getMessage().contains("cannot run the samroi worker"), e.getMessage());
        assertTrue(e.outputTail().contains("No module named"), e.outputTail());
        assertThrows(EnvironmentMissingException.class,
                () -> new EnvironmentInstaller().existingPython(tmp.resolve("nothing/python")).install());
    }

    private static void write(Path file, Properties p) throws IOException {
        try (java.io.OutputStream out = Files.newOutputStream(file)) {
            p.store(out, null);
        }
    }
}
