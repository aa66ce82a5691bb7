package org.samroi.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.Prefs;
import java.nio.file.Paths;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.samroi.core.EnvironmentMissingException;
import org.samroi.core.SamException;
import org.samroi.core.UnknownModelException;
import org.samroi.core.env.InstallMethod;

/** Settings stored in ImageJ's preferences, and the system properties that override them. */
class PluginSettingsTest {

    private final String python = System.getProperty("samroi.python");
    private final String checkpoint = System.getProperty("samroi.checkpoint");

    @AfterEach
    void restore() {
        restore("samroi.python", python);
        restore("samroi.checkpoint", checkpoint);
        System.clearProperty("samroi.model");
        for (String key : new String[] {"model", "environment.method", "environment.location", "python", "checkpoint"}) {
            Prefs.set("samroi." + key, (String) null);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) System.clearProperty(key);
        else System.setProperty(key, value);
    }

    @Test
    void savedSettingsComeBackAndPropertiesOverrideThem() {
        System.clearProperty("samroi.python");
        System.clearProperty("samroi.checkpoint");
        PluginSettings.load().withModel("mobilesam").withMethod(InstallMethod.UV).withLocation(Paths.get("/tmp/env-x"))
                .withCheckpoint(Paths.get("/tmp/m.pt")).save();
        PluginSettings s = PluginSettings.load();
        assertEquals("mobilesam", s.model());
        assertEquals(InstallMethod.UV, s.method());
        assertEquals(Paths.get("/tmp/env-x"), s.location());
        assertEquals(Paths.get("/tmp/m.pt"), s.checkpoint());
        assertEquals("mobilesam", s.imageOptions().model());

        System.setProperty("samroi.model", "efficientsam-s");
        System.setProperty("samroi.python", "/usr/bin/python3");
        System.setProperty("samroi.checkpoint", "/tmp/other.pt");
        PluginSettings o = PluginSettings.load();
        assertEquals("efficientsam-s", o.model());
        assertEquals(InstallMethod.EXISTING_PYTHON, o.method(), "naming a Python means using it");
        assertEquals(Paths.get("/usr/bin/python3"), o.python());
        assertEquals(Paths.get("/tmp/other.pt"), o.imageOptions().checkpoint());
    }

    @Test
    void unknownModelsAndMissingPythonsAreRefusedWithTheirNames() throws SamException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PluginSettings.load().withModel("sam2"));
        assertTrue(e.getMessage().contains("'sam2'") && e.getMessage().contains("mobilesam"), e.getMessage());
        System.clearProperty("samroi.python");
        PluginSettings noPython = PluginSettings.load().withMethod(InstallMethod.EXISTING_PYTHON).withPython(null);
        assertNull(noPython.python());
        assertThrows(EnvironmentMissingException.class, noPython::environment);
        UnknownModelException u = assertThrows(UnknownModelException.class,
                () -> CommonOptions.read(MacroOptions.parse("model=sam-h"), PluginSettings.load()));
        assertTrue(u.getMessage().contains("'sam-h'"), u.getMessage());
    }
}
