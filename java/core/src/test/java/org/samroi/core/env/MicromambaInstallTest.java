package org.samroi.core.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.samroi.core.EnvironmentInstallException;
import org.samroi.core.ProgressEvent;
import org.samroi.core.SamException;

/**
 * The micromamba path: the environment file and the command lines are checked exactly; the
 * install itself runs for real, and where micromamba or conda-forge cannot be reached (as in this
 * workplace) it must fail cleanly, leaving nothing that looks ready.
 */
class MicromambaInstallTest {

    @TempDir
    Path tmp;

    @Test
    void planWritesTheEnvironmentFileAndTheCommandLines() throws Exception {
        Path root = tmp.resolve("mamba env ü");
        EnvironmentInstaller inst = new EnvironmentInstaller().location(root);
        assertEquals(InstallMethod.MICROMAMBA, inst.method());
        MicromambaPlan plan = inst.micromambaPlan();
        Path yml = root.resolve("environment.yml");
        assertEquals(yml, plan.environmentFile());
        String text = new String(Files.readAllBytes(yml), StandardCharsets.UTF_8);
        assertEquals(inst.environmentYaml(), text);
        assertTrue(text.contains("channels:\n  - conda-forge\n"), text);
        assertTrue(text.contains("  - python=3.11\n  - pip\n  - pip:\n      - numpy>=1.24\n"), text);
        assertTrue(text.endsWith("      - appose==0.7.0\n"), text);

        Path prefix = root.resolve("python");
        assertEquals(Arrays.asList(plan.micromamba().toString(), "env", "create", "--prefix", prefix.toString(), "-f",
                yml.toString(), "-y", "-vv", "--no-rc"), plan.createCommand());
        assertTrue(plan.micromamba().endsWith(Arrays.asList("appose", "micromamba", "bin", "micromamba").stream()
                .reduce("", (a, b) -> a.isEmpty() ? b : a + "/" + b)), plan.micromamba().toString());
        assertTrue(plan.micromambaUrl().startsWith("https://micro.mamba.pm/api/micromamba/"), plan.micromambaUrl());
        assertEquals(Arrays.asList(prefix.resolve("bin").resolve("python").toString(), "-I", "-m", "pip", "install",
                "--no-deps", "--no-input", "--disable-pip-version-check", root.resolve("src").toString()),
                plan.samroiInstallCommand());
        System.out.println("micromamba plan:\n" + plan);
    }

    @Test
    @Timeout(1800)
    void installEitherSucceedsOrLeavesNothingThatLooksReady() throws Exception {
        Path root = tmp.resolve("mamba env ü");
        List<ProgressEvent> events = new ArrayList<>();
        EnvironmentInstaller inst = new EnvironmentInstaller().location(root).listener(events::add);
        try {
            PythonEnvironment env = inst.install();
            // A machine that reaches micro.mamba.pm and conda-forge gets a real environment.
            assertEquals(EnvironmentStatus.READY, inst.status());
            assertTrue(Files.isRegularFile(env.python()));
        } catch (EnvironmentInstallException e) {
            System.out.println("micromamba install failed as expected here:\n" + e.getMessage());
            assertTrue(e.getMessage().contains("What to do: Check the internet connection"), e.getMessage());
            assertFalse(Files.exists(root.resolve(EnvironmentInstaller.MARKER_FILE)));
            assertTrue(inst.status() == EnvironmentStatus.INCOMPLETE || inst.status() == EnvironmentStatus.MISSING,
                    inst.status().toString());
            assertTrue(Files.isRegularFile(root.resolve(EnvironmentInstaller.LOG_FILE)));
            assertTrue(Files.isRegularFile(root.resolve(EnvironmentInstaller.OWNER_FILE)));
            assertTrue(events.stream().anyMatch(ev -> ev.message().contains("micromamba")), events.toString());
            try (java.util.stream.Stream<Path> left = Files.list(root)) {
                assertFalse(left.anyMatch(p -> p.getFileName().toString().matches("python\\..*\\.tmp")),
                        "appose work folders left behind");
            }
        } catch (SamException e) {
            throw new AssertionError("expected success or EnvironmentInstallException", e);
        }
    }
}
