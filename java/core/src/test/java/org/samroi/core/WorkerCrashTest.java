package org.samroi.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.samroi.core.env.PythonEnvironment;

/** Kill the worker in the middle of a call, 20 times: clear error within a second, recovery, no leaked shared memory. */
@EnabledOnOs({ OS.LINUX, OS.MAC })
class WorkerCrashTest {

    @Test
    @Timeout(300)
    void killedWorkerFailsTheCallFastAndTheNextCallRestartsIt() throws Exception {
        Set<String> before = TestSupport.shmSegments();
        short[] pixels = new short[2048 * 2048];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (short) i;
        ImagePixels image = ImagePixels.gray16(pixels, 2048, 2048);
        AtomicReference<CountDownLatch> sleeping = new AtomicReference<>(new CountDownLatch(1));
        try (SamSession session = new SamSession(PythonEnvironment.existing(TestSupport.python()))) {
            session.addListener(e -> {
                if ("Sleeping".equals(e.message())) sleeping.get().countDown();
            });
            long pid = session.ensureStarted().pid();
            long worst = 0;
            for (int round = 0; round < 20; round++) {
                sleeping.set(new CountDownLatch(1));
                Map<String, Object> args = new HashMap<>();
                args.put("seconds", 60);
                CompletableFuture<Map<String, Object>> call = session.callAsync("sleep_for_test", args, image);
                assertTrue(sleeping.get().await(30, TimeUnit.SECONDS), "round " + round + ": the task did not start");
                if (TestSupport.isLinux()) {
                    assertEquals(before.size() + 1, TestSupport.shmSegments().size(), "the image is in shared memory");
                }

                long t0 = System.nanoTime();
                TestSupport.kill(pid);
                ExecutionException e = assertThrows(ExecutionException.class, () -> call.get(5, TimeUnit.SECONDS));
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                worst = Math.max(worst, ms);
                assertTrue(ms < 1000, "round " + round + ": the call failed only after " + ms + " ms");
                WorkerCrashedException crash = assertInstanceOf(WorkerCrashedException.class, e.getCause());
                assertTrue(crash.getMessage().startsWith("The samroi worker stopped while running sleep_for_test"),
                        crash.getMessage());
                assertTrue(crash.getMessage().contains("What to do: Try again"), crash.getMessage());
                if (round == 0) System.out.println("WorkerCrashTest: the error a user sees:\n" + crash.getMessage());
                assertEquals(before, TestSupport.shmSegments(), "round " + round + ": shared memory left behind");

                WorkerInfo next = session.ensureStarted();
                assertNotEquals(pid, next.pid(), "a new worker");
                assertEquals(SamroiBuild.version(), session.hello());
                assertEquals(image.expectedStats(), session.checkTransfer(image));
                pid = next.pid();
            }
            System.out.println("WorkerCrashTest: slowest failure after kill: " + worst + " ms");
        }
        assertEquals(before, TestSupport.shmSegments());
    }
}
