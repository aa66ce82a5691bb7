package org.samroi.core.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.samroi.core.ImagePixels;
import org.samroi.core.ProgressEvent;
import org.samroi.core.SamSession;
import org.samroi.core.SamroiBuild;
import org.samroi.core.SegmentationScenario;
import org.samroi.core.TestSupport;
import org.samroi.core.WorkerInfo;

/**
 * The uv path for real: uv from PyPI, a virtual environment with samroi's dependencies and
 * appose from PyPI, in a folder whose path has a space and a non-ASCII character; then the
 * worker runs in it and segments a real image with the fixture checkpoint, and its polygons
 * must fill exactly the masks the command line of the same environment writes. Slow on the first run (downloads numpy, onnxruntime...); uv's cache and the
 * uv binary are kept in samroi.test.cache (~/.cache/samroi-test) between runs.
 */
@Timeout(1800)
class UvInstallTest {

    private Path base;

    @BeforeEach
    void makeBase() throws Exception {
        base = Files.createTempDirectory("samroi uv ü ");
    }

    @AfterEach
    void deleteBase() throws Exception {
        EnvironmentInstaller.deleteTree(base);
    }

    private EnvironmentInstaller installer(Path root, List<ProgressEvent> events) throws Exception {
        return new EnvironmentInstaller().location(root).method(InstallMethod.UV)
                .toolsDirectory(TestSupport.cache().resolve("tools"))
                .uvCacheDirectory(TestSupport.cache().resolve("uv-cache")).listener(events::add);
    }

    @Test
    void buildsAWorkingEnvironmentRepairsItAndSurvivesInterruption() throws Exception {
        Path root = base.resolve("env dir ü");
        List<ProgressEvent> events = Collections.synchronizedList(new ArrayList<>());
        EnvironmentInstaller inst = installer(root, events);
        assertEquals(EnvironmentStatus.MISSING, inst.status());

        long t0 = System.nanoTime();
        boolean segmentationChecked = false;
        Set<String> shmBefore = TestSupport.shmSegments();
        PythonEnvironment env = inst.install();
        long firstMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(EnvironmentStatus.READY, inst.status());
        assertTrue(env.python().startsWith(root), env.python().toString());
        assertFalse(Files.exists(root.resolve("src")), "extracted sources are removed after the install");
        assertTrue(env.workerCommand().contains("-I"));

        try (SamSession session = new SamSession(env)) {
            WorkerInfo info = session.ensureStarted();
            assertEquals(SamroiBuild.version(), info.version());
            assertEquals(SamroiBuild.apposeVersion(), info.apposeVersion());
            assertTrue(info.executable().contains("env dir ü"), info.executable());
            ImagePixels image = ImagePixels.gray8(new byte[] { 1, 2, 3, 4, 5, 6 }, 3, 2);
            assertEquals(image.expectedStats(), session.checkTransfer(image));

            // Segmentation in the managed environment (no torch in it), compared with the
            // command line of the same environment.
            if (Files.isRegularFile(SegmentationScenario.checkpoint()) && Files.isRegularFile(SegmentationScenario.imageFile())) {
                Set<String> before = TestSupport.shmSegments();
                Path work = Files.createDirectories(base.resolve("cli ü"));
                String summary = SegmentationScenario.run(session, Arrays.asList(env.python().toString(), "-I"), work);
                System.out.println("UvInstallTest: " + summary);
                if (TestSupport.isLinux()) assertEquals(before.size() + 1, TestSupport.shmSegments().size());
                segmentationChecked = true;
            }
        }
        assertTrue(segmentationChecked || !"true".equals(System.getenv("CI")), "CI must run the segmentation check");
        Set<String> afterClose = TestSupport.shmSegments();

        assertEquals(shmBefore, afterClose, "no shared memory left after close");

        // Ready: a second install does nothing.
        t0 = System.nanoTime();
        assertEquals(env.python(), inst.install().python());
        long noopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(noopMs < 5000, noopMs + " ms");

        // An env without its marker is never used and is rebuilt.
        Files.delete(root.resolve(EnvironmentInstaller.MARKER_FILE));
        assertEquals(EnvironmentStatus.INCOMPLETE, inst.status());
        assertThrows(org.samroi.core.EnvironmentMissingException.class, inst::load);
        t0 = System.nanoTime();
        inst.install();
        long repairMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(EnvironmentStatus.READY, inst.status());

        // Interrupted while installing packages: nothing looks ready, the next install repairs it.
        Path root2 = base.resolve("interrupted ü");
        CountDownLatch installing = new CountDownLatch(1);
        List<ProgressEvent> events2 = Collections.synchronizedList(new ArrayList<>());
        EnvironmentInstaller inst2 = installer(root2, events2).listener(e -> {
            events2.add(e);
            if (e.kind() == ProgressEvent.Kind.PROGRESS && e.message().startsWith("Installing samroi")) installing.countDown();
        });
        CompletableFuture<PythonEnvironment> f = inst2.installAsync();
        assertTrue(installing.await(300, TimeUnit.SECONDS));
        Thread.sleep(200);
        f.cancel(true);
        assertNotEquals(EnvironmentStatus.READY, inst2.status());
        t0 = System.nanoTime();
        PythonEnvironment env2 = inst2.install(); // waits for the cancelled one, then repairs
        long afterInterruptMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(EnvironmentStatus.READY, inst2.status());
        assertTrue(events2.stream().anyMatch(e -> e.message().contains("Repairing")), "repair reported");
        assertTrue(Files.isRegularFile(env2.python()));

        System.out.println("UvInstallTest: first install " + firstMs + " ms, no-op " + noopMs + " ms, repair "
                + repairMs + " ms, install after interruption " + afterInterruptMs + " ms");
    }
}
