package org.samroi.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.samroi.core.env.PythonEnvironment;

/** SamSession against the machine's Python that has samroi installed (editable): real worker, real appose. */
@Timeout(120)
class SamSessionTest {

    private static SamSession session;
    private static final List<ProgressEvent> events = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() {
        session = new SamSession(PythonEnvironment.existing(TestSupport.python()));
        session.addListener(events::add);
    }

    @AfterAll
    static void stop() {
        if (session != null) session.close();
    }

    static ImagePixels devImage(String name) throws IOException, BadImageException {
        Path file = TestSupport.devData().resolve(name);
        assumeTrue(Files.isRegularFile(file), "dev data missing: " + file);
        TinyTiff tiff = TinyTiff.read(file);
        return ImagePixels.of(tiff.pixels(), tiff.width, tiff.height);
    }

    @Test
    void startsOnceAndSaysHelloWithTheJavaVersion() throws Exception {
        WorkerInfo info = session.ensureStarted();
        assertEquals(SamroiBuild.version(), info.version());
        assertTrue(info.pid() > 0);
        assertTrue(info.functions().contains("segment"), info.functions().toString());
        assertEquals(SamroiBuild.version(), session.hello());
        assertEquals(info.pid(), session.ensureStarted().pid(), "one long-lived worker");
        assertTrue(session.isWorkerRunning());
        assertTrue(TestSupport.isAlive(info.pid()));
    }

    @Test
    void transfersRealImagesExactly() throws Exception {
        Set<String> before = TestSupport.shmSegments();
        List<ImagePixels> images = new ArrayList<>();
        images.add(devImage("dsb_fluo_d01.tif")); // uint8 256x256
        images.add(devImage("dsb_fluo_d05.tif")); // uint8 603x1272 (not square)
        images.add(devImage("dsb_he_d01.tif")); // RGB 256x320
        ImagePixels phase = devImage("usiigaci_phase_d01.tif"); // uint16 1022x1024
        images.add(phase);
        short[] s = (short[]) phase.pixels();
        float[] f = new float[s.length];
        for (int i = 0; i < s.length; i++) f[i] = (s[i] & 0xffff) / 65535f - 0.25f;
        f[17] = Float.NaN;
        images.add(ImagePixels.gray32(f, phase.width(), phase.height()));
        assertEquals(ImagePixels.Type.GRAY8, images.get(0).type());
        assertEquals(ImagePixels.Type.RGB, images.get(2).type());
        assertEquals(ImagePixels.Type.GRAY16, images.get(3).type());
        for (ImagePixels image : images) {
            events.clear();
            ImageStats got = session.checkTransfer(image);
            assertEquals(image.expectedStats(), got, image.toString());
            assertEquals(TestSupport.shmSegments(), before, "shared memory left behind after " + image);
            synchronized (events) {
                assertTrue(events.stream().anyMatch(e -> e.source().equals("check_image") && e.message().equals("Image received")),
                        events.toString());
            }
        }
    }

    /** Every pixel type and planar channels reach the worker bit for bit (types derived from real images). */
    @Test
    void transfersEveryPixelTypeAndPlanarChannelsExactly() throws Exception {
        Set<String> before = TestSupport.shmSegments();
        ImagePixels phase = devImage("usiigaci_phase_d01.tif"); // uint16 1022x1024
        short[] s = (short[]) phase.pixels();
        int w = phase.width();
        int h = phase.height();
        int n = s.length;
        byte[] i8 = new byte[n];
        short[] i16 = new short[n];
        int[] u32 = new int[n];
        int[] i32 = new int[n];
        long[] u64 = new long[n];
        long[] i64 = new long[n];
        double[] f64 = new double[n];
        for (int i = 0; i < n; i++) {
            int v = s[i] & 0xffff;
            i8[i] = (byte) ((v >> 8) - 128);
            i16[i] = (short) (v - 32768);
            u32[i] = v * 65537; // spans the full unsigned range, so a signed reading would differ
            i32[i] = v * 65537 - Integer.MIN_VALUE;
            u64[i] = (long) v << 48;
            i64[i] = ((long) v << 48) + Long.MIN_VALUE;
            f64[i] = v / 65535.0 - 0.5;
        }
        f64[3] = Double.NaN;
        List<ImagePixels> images = new ArrayList<>();
        images.add(ImagePixels.of(ImagePixels.Type.INT8, i8, w, h));
        images.add(ImagePixels.of(ImagePixels.Type.INT16, i16, w, h));
        images.add(ImagePixels.of(ImagePixels.Type.UINT32, u32, w, h));
        images.add(ImagePixels.of(ImagePixels.Type.INT32, i32, w, h));
        images.add(ImagePixels.of(ImagePixels.Type.UINT64, u64, w, h));
        images.add(ImagePixels.of(ImagePixels.Type.INT64, i64, w, h));
        images.add(ImagePixels.of(ImagePixels.Type.FLOAT64, f64, w, h));
        images.add(ImagePixels.channels(ImagePixels.Type.GRAY16, new Object[] { s, i16, s }, w, h));
        images.add(ImagePixels.channels(ImagePixels.Type.FLOAT64, new Object[] { f64, f64 }, w, h));
        for (ImagePixels image : images) {
            assertEquals(image.expectedStats(), session.checkTransfer(image), image.toString());
        }
        assertEquals(before, TestSupport.shmSegments(), "shared memory left behind");
    }

    @Test
    void asyncCallsReturnAtOnceAndCanBeCancelled() throws Exception {
        session.ensureStarted();
        long pid = session.workerInfo().pid();
        CountDownLatch sleeping = new CountDownLatch(1);
        ProgressListener l = e -> {
            if (e.message().equals("Sleeping")) sleeping.countDown();
        };
        session.addListener(l);
        try {
            long t0 = System.nanoTime();
            Map<String, Object> args = new HashMap<>();
            args.put("seconds", 30);
            CompletableFuture<Map<String, Object>> f = session.callAsync("sleep_for_test", args, null);
            assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(200), "the async call blocked");
            assertFalse(f.isDone());
            assertTrue(sleeping.await(20, TimeUnit.SECONDS));
            long c0 = System.nanoTime();
            session.cancel();
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
            assertInstanceOf(SamCancelledException.class, e.getCause());
            assertTrue(System.nanoTime() - c0 < TimeUnit.SECONDS.toNanos(2));

            // Cancelling the future itself stops the worker's task too: the next call is not stuck behind it.
            CompletableFuture<Map<String, Object>> g = session.callAsync("sleep_for_test", args, null);
            Thread.sleep(300);
            g.cancel(true);
            long h0 = System.nanoTime();
            assertEquals(SamroiBuild.version(), session.hello());
            assertTrue(System.nanoTime() - h0 < TimeUnit.SECONDS.toNanos(5));
            assertEquals(pid, session.workerInfo().pid(), "cancelling must not kill the worker");
        } finally {
            session.removeListener(l);
        }
    }

    @Test
    void pythonErrorsArriveAsTypedExceptions() throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> session.callAsync("check_image", Collections.<String, Object>emptyMap(), null).get(30, TimeUnit.SECONDS));
        WorkerException w = assertInstanceOf(WorkerException.class, e.getCause());
        assertEquals("samroi.errors.InputError", w.pythonType());
        assertEquals("no image was given", w.problem());
        assertTrue(w.traceback().contains("Traceback"));
        assertThrows(IllegalArgumentException.class, () -> session.callAsync("os.system", null, null));
    }

    @Test
    void blockingCallsRefuseTheEventDispatchThread() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        java.awt.EventQueue.invokeAndWait(() -> {
            try {
                session.hello();
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        assertInstanceOf(IllegalStateException.class, thrown.get());
    }

    @Test
    void versionMismatchIsATypedErrorAndStopsThatWorker() {
        try (SamSession other = new SamSession(PythonEnvironment.existing(TestSupport.python()), "9.9.9")) {
            VersionMismatchException e = assertThrows(VersionMismatchException.class, other::ensureStarted);
            assertEquals("9.9.9", e.javaVersion());
            assertEquals(SamroiBuild.version(), e.pythonVersion());
            assertTrue(e.getMessage().contains("What to do: Reinstall"), e.getMessage());
            assertFalse(other.isWorkerRunning());
        }
    }

    @Test
    void missingPythonIsATypedError() {
        try (SamSession other = new SamSession(PythonEnvironment.existing(Paths.get("/no/such/dir/python3")))) {
            EnvironmentMissingException e = assertThrows(EnvironmentMissingException.class, other::ensureStarted);
            assertTrue(e.getMessage().contains("Install the samroi Python environment"), e.getMessage());
        }
    }

    @Test
    void pythonWithoutSamroiIsATypedErrorWithItsMessages() throws Exception {
        Path folder = Files.createTempDirectory("samroi-bare");
        folder.toFile().deleteOnExit();
        Path bare = TestSupport.pythonWithoutSamroi(folder);
        folder.resolve("python-without-samroi").toFile().deleteOnExit();
        assumeTrue(bare != null, "this machine has no Python without samroi (/usr/bin/python3)");
        try (SamSession other = new SamSession(PythonEnvironment.existing(bare))) {
            long t0 = System.nanoTime();
            EnvironmentMissingException e = assertThrows(EnvironmentMissingException.class, other::ensureStarted);
            assertTrue(e.getMessage().contains("could not start"), e.getMessage());
            assertTrue(e.getMessage().contains("ModuleNotFoundError"), e.getMessage());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10));
        }
    }

    @Test
    void closeStopsTheWorkerAndLaterCallsFail() throws Exception {
        SamSession other = new SamSession(PythonEnvironment.existing(TestSupport.python()));
        long pid = other.ensureStarted().pid();
        Map<String, Object> args = new HashMap<>();
        args.put("seconds", 30);
        CompletableFuture<Map<String, Object>> running = other.callAsync("sleep_for_test", args, null);
        Thread.sleep(300);
        other.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> running.get(10, TimeUnit.SECONDS));
        assertInstanceOf(SamCancelledException.class, e.getCause());
        for (int i = 0; i < 100 && TestSupport.isAlive(pid); i++) Thread.sleep(50);
        assertFalse(TestSupport.isAlive(pid), "worker still running after close");
        assertThrows(SamCancelledException.class, other::hello);
        assertNotEquals(null, other.environment());
    }
}
