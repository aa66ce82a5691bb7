package org.samroi.icy.logic;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

import org.samroi.core.Prompt;
import org.samroi.core.SamCancelledException;
import org.samroi.core.SamException;
import org.samroi.core.SamSession;
import org.samroi.core.SegmentOptions;
import org.samroi.core.SegmentedObject;

/**
 * Segmentation jobs of every part of the plugin (annotator, batch, Protocols), one at a time on a
 * samroi thread, so that "give the worker this image, then segment" cannot interleave with
 * another job's image. The worker gets an image again only when it is not the one it has.
 */
public final class SegmentService implements AutoCloseable {

    private final SamSession session;
    private final ExecutorService jobs;
    private final java.util.Set<CompletableFuture<?>> pending = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private ImageRequest current; // only touched on the jobs thread

    public SegmentService(SamSession session) {
        this.session = session;
        this.jobs = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "samroi-icy-jobs");
            t.setDaemon(true);
            return t;
        });
    }

    public SamSession session() {
        return session;
    }

    /**
     * Segment one object per prompt on the request's image; completes on a samroi thread with
     * the objects in prompt order. Returns at once (safe on the event thread).
     */
    public CompletableFuture<List<SegmentedObject>> segmentAsync(ImageRequest image, List<Prompt> prompts,
            SegmentOptions options) {
        List<Prompt> list = new ArrayList<>(prompts);
        CompletableFuture<List<SegmentedObject>> result = new CompletableFuture<>();
        pending.add(result);
        result.whenComplete((r, e) -> pending.remove(result));
        try {
            jobs.execute(() -> {
                if (result.isDone()) return; // cancelled while queued
                try {
                    result.complete(run(image, list, options));
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new SamCancelledException("Segmenting (samroi was closed)"));
        }
        return result;
    }

    /** Blocking form of {@link #segmentAsync}; not on the Swing event thread. */
    public List<SegmentedObject> segment(ImageRequest image, List<Prompt> prompts, SegmentOptions options)
            throws SamException {
        if (java.awt.EventQueue.isDispatchThread()) {
            throw new IllegalStateException("samroi's blocking calls must not run on the Swing event dispatch thread");
        }
        try {
            return segmentAsync(image, prompts, options).get();
        } catch (InterruptedException e) {
            cancel();
            Thread.currentThread().interrupt();
            throw new SamCancelledException("Segmenting");
        } catch (CancellationException e) {
            throw new SamCancelledException("Segmenting");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SamException) throw (SamException) e.getCause();
            throw new SamException("Unexpected error in samroi: " + e.getCause(), "Please report this to the samroi developers.",
                    e.getCause());
        }
    }

    private List<SegmentedObject> run(ImageRequest image, List<Prompt> prompts, SegmentOptions options)
            throws SamException {
        if (!image.sameImage(current)) {
            current = null;
            session.setImage(image.read(), image.options());
            current = image;
        }
        try {
            return session.segment(prompts, options);
        } catch (SamException e) {
            if (session.currentImage() == null) current = null; // e.g. the worker restarted and lost it
            throw e;
        }
    }

    /** Stop the running job (at the worker's next check) and the queued ones. */
    public void cancel() {
        for (CompletableFuture<?> f : pending) f.completeExceptionally(new SamCancelledException("Segmenting"));
        session.cancel();
    }

    @Override
    public void close() {
        jobs.shutdownNow();
    }
}
