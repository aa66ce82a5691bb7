package org.samroi.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.samroi.core.env.PythonEnvironment;

/**
 * Segmentation through SamSession against the machine's Python (the fast variant of the uv
 * test): real worker, real engine, the random-weight fixture checkpoint, real dev images.
 */
@Timeout(600)
class SegmentationTest {

    private static SamSession session;
    private static final List<ProgressEvent> events = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() {
        assumeTrue(Files.isRegularFile(SegmentationScenario.checkpoint()), "fixture checkpoint missing");
        assumeTrue(Files.isRegularFile(SegmentationScenario.imageFile()), "dev image missing");
        session = new SamSession(PythonEnvironment.existing(TestSupport.python()));
        session.addListener(events::add);
    }

    @AfterAll
    static void stop() {
        if (session != null) session.close();
    }

    @Test
    void polygonsFillExactlyTheMasksOfThePythonLibrary(@TempDir Path tmp) throws Exception {
        session.clearImage();
        Set<String> before = TestSupport.shmSegments();
        String summary = SegmentationScenario.run(session, Collections.singletonList(TestSupport.python().toString()), tmp);
        System.out.println("SegmentationTest (existing Python): " + summary);
        if (TestSupport.isLinux()) {
            assertEquals(before.size() + 1, TestSupport.shmSegments().size(),
                    "after segment calls only the current image's segment exists");
            assertTrue(TestSupport.shmSegments().contains(session.imageSegment().shm().name().replaceFirst("^/", "")));
        }
        synchronized (events) {
            assertTrue(events.stream().anyMatch(e -> e.source().equals("segment") && e.message().startsWith("Segmenting")),
                    "segment progress reported");
        }
    }

    @Test
    void asyncCallsReturnAtOnceAndRunOffTheCallersThread() throws Exception {
        ImageInfo info = session.setImage(SegmentationScenario.image(), SegmentationScenario.options());
        Thread caller = Thread.currentThread();
        // The progress events of the call show which threads did its work. (A stage added with
        // thenApply would be no proof: on a future that is already done it runs on the caller.)
        List<Thread> workers = Collections.synchronizedList(new ArrayList<>());
        ProgressListener recordThread = e -> workers.add(Thread.currentThread());
        session.addListener(recordThread);
        long t0 = System.nanoTime();
        CompletableFuture<List<SegmentedObject>> f = session.segmentAsync(
                Arrays.asList(Prompt.point(10, 10).withPoint(20, 20, false), Prompt.box(0, 0, 255, 255)),
                SegmentOptions.defaults().withAllMasks(true).withAllComponents(true).withMinArea(5));
        assertTrue(SegmentationScenario.ms(t0) < 200, "the async call blocked");
        List<SegmentedObject> objects = f.get(120, TimeUnit.SECONDS);
        session.removeListener(recordThread);
        assertFalse(workers.isEmpty(), "the call reported progress");
        synchronized (workers) {
            assertTrue(workers.stream().noneMatch(t -> t == caller), "work ran on the caller's thread");
        }
        assertEquals(2, objects.size());
        assertEquals(2, objects.get(0).alternatives().size(), "all masks: the best plus two alternatives");
        assertTrue(objects.get(0).score() >= objects.get(0).alternatives().get(0).score());
        for (SegmentedObject o : objects) {
            for (PolygonShape s : o.shapes()) {
                assertTrue(s.area() >= 5);
                SegmentationScenario.assertClosed(s);
            }
        }
        assertEquals(info.width(), session.currentImage().width());
        List<ModelInfo> models = session.listModelsAsync().get(60, TimeUnit.SECONDS);
        assertEquals(Arrays.asList("efficientsam-ti", "efficientsam-s", "mobilesam"),
                Arrays.asList(models.get(0).name(), models.get(1).name(), models.get(2).name()));
        assertTrue(models.get(0).isDefault() && models.get(0).loaded());
        assertEquals("EfficientSAM-Ti", models.get(0).title());
    }

    @Test
    void badInputGivesTypedExceptionsAndTheSessionStaysUsable() throws Exception {
        ImagePixels image = SegmentationScenario.image();
        session.setImage(image, SegmentationScenario.options());
        long pid = session.workerInfo().pid();

        // Outside the image: refused in Java, before anything is sent.
        PromptException outside = assertThrows(PromptException.class,
                () -> session.segment(Arrays.asList(Prompt.point(5, 5), Prompt.point(256, 12.5)), SegmentOptions.defaults()));
        assertEquals(1, outside.promptIndex());
        assertEquals("The point (256, 12.5) of prompt 2 is outside the image: points need x in 0..255 and y in 0..255 "
                + "(the image is 256 x 256 pixels).", outside.problem());
        assertTrue(outside.getMessage().contains("What to do: Click or draw inside the image"), outside.getMessage());
        PromptException box = assertThrows(PromptException.class,
                () -> session.segment(Collections.singletonList(Prompt.fromRectangle(250, 10, 20, 5)), SegmentOptions.defaults()));
        assertTrue(box.problem().contains("box (250, 10, 269, 14) of prompt 1 reaches outside the image"), box.problem());
        assertThrows(PromptException.class,
                () -> session.segment(Collections.singletonList(Prompt.box(10, 10, 10, 30)), SegmentOptions.defaults()));
        // Checked by the worker (EfficientSAM takes at most 6 points, a box counts 2): typed too.
        Prompt five = Prompt.point(1, 1);
        for (int i = 0; i < 4; i++) five = five.withPoint(2 + i, 2, true);
        final Prompt many = five.withBox(0, 0, 30, 30);
        PromptException tooMany = assertThrows(PromptException.class,
                () -> session.segment(Arrays.asList(Prompt.point(3, 3), many), SegmentOptions.defaults()));
        assertEquals(1, tooMany.promptIndex());
        assertTrue(tooMany.problem().startsWith("prompt 2:"), tooMany.problem());
        assertEquals(1, session.segment(Collections.singletonList(Prompt.point(30, 30)), SegmentOptions.defaults()).size());

        UnknownModelException unknown = assertThrows(UnknownModelException.class,
                () -> session.setImage(image, SegmentationScenario.options().withModel("sam-huge")));
        assertEquals("sam-huge", unknown.model());
        assertTrue(unknown.getMessage().contains("samroi has no model called 'sam-huge'"), unknown.getMessage());
        // A failed setImage leaves no image: nobody segments the previous one by mistake.
        assertNull(session.currentImage());
        NoImageException none = assertThrows(NoImageException.class, () -> session.segment(Prompt.point(3, 3)));
        assertTrue(none.getMessage().contains("No image"), none.getMessage());

        Path missing = SegmentationScenario.checkpoint().resolveSibling("no such checkpoint ü.pt");
        MissingWeightsException noFile = assertThrows(MissingWeightsException.class,
                () -> session.setImage(image, SegmentationScenario.options().withCheckpoint(missing)));
        assertEquals(missing.toAbsolutePath(), noFile.checkpoint());
        assertTrue(noFile.problem().contains("does not exist"), noFile.problem());
        assertTrue(noFile.nextStep().startsWith("Choose an existing checkpoint file"), noFile.nextStep());

        List<ModelInfo> models = session.listModels();
        if (!models.get(2).installed()) {
            MissingWeightsException notInstalled = assertThrows(MissingWeightsException.class,
                    () -> session.setImage(image, ImageOptions.defaults().withModel("mobilesam")));
            assertNull(notInstalled.checkpoint());
            assertEquals("The MobileSAM weights are not installed yet.", notInstalled.problem());
            assertTrue(notInstalled.getMessage().contains("Install (samroi > Install weights)")
                    && notInstalled.getMessage().contains("samroi weights install mobilesam")
                    && notInstalled.getMessage().contains("choose a checkpoint file"), notInstalled.getMessage());
        }
        WorkerException badNorm = assertThrows(WorkerException.class,
                () -> session.setImage(image, SegmentationScenario.options().withNormalize("loud")));
        assertTrue(badNorm.problem().contains("unknown normalisation 'loud'"), badNorm.problem());
        assertThrows(BadImageException.class, () -> ImagePixels.gray8(new byte[0], 0, 0));

        // Still the same worker, and it still works.
        assertEquals(pid, session.workerInfo().pid());
        session.setImage(image, SegmentationScenario.options());
        assertFalse(session.segment(SegmentationScenario.BOX).isEmpty());
    }

    @Test
    void installWeightsRefusesAFileThatIsNotTheOfficialOneAndReportsProgress() throws Exception {
        List<ProgressEvent> seen = Collections.synchronizedList(new ArrayList<>());
        ProgressListener l = seen::add;
        session.addListener(l);
        try {
            WorkerException e = assertThrows(WorkerException.class,
                    () -> session.installWeights("efficientsam-ti", SegmentationScenario.checkpoint()));
            assertTrue(e.problem().contains("is not the official EfficientSAM-Ti file"), e.problem());
            assertTrue(seen.stream().anyMatch(ev -> ev.source().equals("install_weights")
                    && ev.message().startsWith("Copying the EfficientSAM-Ti weights")), seen.toString());
            assertThrows(UnknownModelException.class, () -> session.installWeights("nope", null));
        } finally {
            session.removeListener(l);
        }
    }

    /** Kill the worker while it encodes: a clear error, and the next click restarts it with the same image segment. */
    @Test
    void killedDuringEncodeTheNextClickRestartsTheWorkerWithTheSameImage() throws Exception {
        Set<String> before = TestSupport.shmSegments();
        try (SamSession own = new SamSession(PythonEnvironment.existing(TestSupport.python()))) {
            CountDownLatch encoding = new CountDownLatch(1);
            own.addListener(e -> {
                if (e.source().equals("segment") && e.message().startsWith("Segmenting: tile")) encoding.countDown();
            });
            ImagePixels phase = SamSessionTest.devImage("usiigaci_phase_d01.tif"); // uint16 1022 x 1024
            short[] px = ((short[]) phase.pixels()).clone();
            px[0] ^= 0x5a5a; // pixels no other test encodes: no cached embedding
            ImagePixels image = ImagePixels.gray16(px, phase.width(), phase.height());
            ImageInfo info = own.setImage(image, SegmentationScenario.options().withNormalize("minmax"));
            long pid = own.workerInfo().pid();
            if (TestSupport.isLinux()) assertEquals(before.size() + 1, TestSupport.shmSegments().size());
            CompletableFuture<List<SegmentedObject>> f = own.segmentAsync(
                    Collections.singletonList(Prompt.point(500, 500)), SegmentOptions.defaults());
            assertTrue(encoding.await(60, TimeUnit.SECONDS));
            TestSupport.kill(pid);
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
            assertInstanceOf(WorkerCrashedException.class, e.getCause());
            if (TestSupport.isLinux()) {
                assertEquals(before.size() + 1, TestSupport.shmSegments().size(), "the image segment is kept for the next worker");
            }
            SegmentedObject o = own.segment(Prompt.point(500, 500));
            assertNotEquals(pid, own.workerInfo().pid());
            assertNotNull(o);
            assertEquals(info.width(), own.currentImage().width());
            assertEquals("minmax", own.currentImage().normalize());
            own.clearImage();
            assertNull(own.currentImage());
            if (TestSupport.isLinux()) assertEquals(before, TestSupport.shmSegments(), "clearImage frees the segment");
            own.setImage(image, SegmentationScenario.options());
            if (TestSupport.isLinux()) assertEquals(before.size() + 1, TestSupport.shmSegments().size());
        }
        assertEquals(before, TestSupport.shmSegments(), "close frees the image segment");
    }
}
