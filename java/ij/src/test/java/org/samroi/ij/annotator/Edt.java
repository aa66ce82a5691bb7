package org.samroi.ij.annotator;

import java.awt.EventQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** The event thread for the programs that drive a real ImageJ (the GUI test's harness, the benchmark). */
final class Edt {

    private Edt() {
    }

    /** body's result, computed on the event thread; its exception rethrown here. */
    static <T> T call(Callable<T> body) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> error = new AtomicReference<>();
        EventQueue.invokeAndWait(() -> {
            try {
                result.set(body.call());
            } catch (Exception e) {
                error.set(e);
            }
        });
        if (error.get() != null) throw error.get();
        return result.get();
    }

    /** Polls condition on the event thread until it holds; fails after the given seconds. */
    static void waitFor(Callable<Boolean> condition, long seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!call(condition)) {
            if (System.nanoTime() > end) throw new IllegalStateException("timed out waiting for ImageJ");
            Thread.sleep(20);
        }
    }
}
