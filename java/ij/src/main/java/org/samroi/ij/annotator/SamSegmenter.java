package org.samroi.ij.annotator;

import ij.gui.Roi;

import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.samroi.core.Prompt;
import org.samroi.core.SamCancelledException;
import org.samroi.core.SamException;
import org.samroi.core.SegmentOptions;
import org.samroi.core.SegmentedObject;
import org.samroi.ij.ImagePlanes;
import org.samroi.ij.RoiFactory;
import org.samroi.ij.SamRoi;

/**
 * The Annotator's segmenter: the shared samroi session of this ImageJ ({@link SamRoi}), called
 * from one thread of its own so that the event thread never waits. The plane goes to the worker
 * only when it is not the worker's current image already (SamRoi keeps track), so clicks on one
 * plane cost no transfer; the worker encodes only the tiles the prompts fall in.
 */
final class SamSegmenter implements Segmenter<PlaneTarget, Roi> {

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "samroi-annotator");
        t.setDaemon(true);
        return t;
    });
    private final Supplier<SegmentOptions> options;
    /** Raised by every cancel: work given before it is not to run or be used. */
    private final AtomicInteger generation = new AtomicInteger();

    /** @param options read for every prompt (the panel's "largest part only" may change) */
    SamSegmenter(Supplier<SegmentOptions> options) {
        this.options = options;
    }

    @Override
    public CompletableFuture<Roi> segment(PlaneTarget target, Prompt prompt, int number) {
        SegmentOptions segmentOptions = options.get();
        return call(() -> {
            ImagePlanes.Plane plane = target.plane();
            List<SegmentedObject> objects = SamRoi.segment(plane, target.options(), Collections.singletonList(prompt),
                    segmentOptions);
            return RoiFactory.toRoi(objects.get(0), number, target.options().model(), plane);
        });
    }

    /**
     * Sends target's plane and has the worker encode it, with a click in its centre whose
     * result is dropped, so that the first real click is answered at once. Worth it for images
     * of one tile (up to 1024 x 1024); larger ones are encoded tile by tile where clicked.
     */
    CompletableFuture<Void> encode(PlaneTarget target) {
        return call(() -> {
            ImagePlanes.Plane plane = target.plane();
            SamRoi.segment(plane, target.options(),
                    Collections.singletonList(Prompt.point(plane.width() / 2, plane.height() / 2)),
                    SegmentOptions.defaults());
            return null;
        });
    }

    /**
     * Cancels everything given to this segmenter so far, waiting or running, and what the
     * samroi worker is doing. Work given afterwards runs normally.
     */
    void cancel() {
        generation.incrementAndGet();
        SamRoi.cancel();
    }

    /**
     * Runs work on this segmenter's thread. Work of an older generation (given before a
     * {@link #cancel()}) ends with {@link SamCancelledException}, also when it got through
     * before the worker heard of the cancel: its result is not used.
     */
    private <T> CompletableFuture<T> call(Work<T> work) {
        int given = generation.get();
        return CompletableFuture.supplyAsync(() -> {
            try {
                if (generation.get() != given) throw new SamCancelledException("Segmenting");
                T result = work.run();
                if (generation.get() != given) throw new SamCancelledException("Segmenting");
                return result;
            } catch (SamException e) {
                throw new CompletionException(e);
            }
        }, thread);
    }

    @FunctionalInterface
    private interface Work<T> {
        T run() throws SamException;
    }

    /** Stops the thread after the work already given to it. */
    void close() {
        thread.shutdown();
    }
}
