package org.samroi.ij.annotator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.IntSupplier;

import org.samroi.core.Prompt;

/**
 * The Annotator's bookkeeping for one image: which objects exist, the prompt of each (every
 * gesture adds a revision), what the sink shows, what undo takes back, and what to send to the
 * segmenter next. No ImageJ here, so that the rules can be tested on their own.
 *
 * <p>
 * <b>Rules.</b> A box or a plain click starts a new object. A shift- or alt-click adds a point
 * to the last object touched on the same plane, which is then segmented again and replaced in
 * place. Undo takes back the last gesture: a new object disappears, a refinement goes back to
 * the previous outline (segmented again if it was never computed).
 *
 * <p>
 * <b>One request at a time.</b> At most one prompt of this image is with the segmenter; the
 * others wait in gesture order. Waiting requests of one object merge: it is sent once, with its
 * newest prompt, so quick refinements cost one segmentation. A result that is no longer the
 * newest prompt of its object is kept for undo but not shown. New objects are never dropped.
 *
 * <p>
 * <b>Failures.</b> When a prompt fails, is cancelled or finds nothing, the object goes back to
 * the outline it shows (a new object disappears) and the sink is left as it was.
 *
 * <p>
 * Not thread-safe: every call, and every completion (through the home executor), happens on one
 * thread.
 *
 * @param <P> an image plane with its options; refinements need an equal plane
 * @param <R> an outline
 */
public final class AnnotationController<P, R> {

    private final Segmenter<P, R> segmenter;
    private final RoiSink<R> sink;
    private final Executor home;
    private final IntSupplier nextNumber;
    private final AnnotationListener listener;

    /** Gestures in the order made, newest first; each names the revision it made. */
    private final Deque<Revision> history = new ArrayDeque<>();
    /** Objects waiting for the segmenter, in order; each is sent with its newest prompt. */
    private final Set<Item> waiting = new LinkedHashSet<>();
    private Revision running;
    private long revisions;

    /**
     * @param home runs completions of the segmenter's futures on the controller's thread
     * @param nextNumber the number for a new object (the host knows which numbers are in use)
     */
    public AnnotationController(Segmenter<P, R> segmenter, RoiSink<R> sink, Executor home, IntSupplier nextNumber,
            AnnotationListener listener) {
        this.segmenter = Objects.requireNonNull(segmenter);
        this.sink = Objects.requireNonNull(sink);
        this.home = Objects.requireNonNull(home);
        this.nextNumber = Objects.requireNonNull(nextNumber);
        this.listener = listener == null ? new AnnotationListener() {
        } : listener;
    }

    /**
     * Applies a gesture made on plane at gestureNanos ({@link System#nanoTime()}). Returns false
     * when it does nothing (an alt-click with no object to refine; the listener hears why).
     */
    public boolean gesture(Gesture gesture, P plane, long gestureNanos) {
        Item target = gesture.startsObject() ? null : lastItemOn(plane);
        if (target == null && gesture.kind() == Gesture.Kind.ADD_NEGATIVE) {
            listener.refused("An alt-click marks background for the last object, and there is none on this plane yet: "
                    + "click (or draw a box) on an object first.");
            return false;
        }
        Revision revision;
        if (target == null) {
            // a shift-click with nothing to refine starts an object from that point
            Item item = new Item(nextNumber.getAsInt(), plane);
            revision = new Revision(item, ++revisions, gesture.newPrompt(), gestureNanos);
        } else {
            revision = new Revision(target, ++revisions, gesture.refine(target.current().prompt), gestureNanos);
        }
        revision.item.revisions.add(revision);
        history.push(revision);
        request(revision.item);
        return true;
    }

    /**
     * Takes back the last gesture. Returns false when there is none (the host may then let the
     * key do what it does elsewhere).
     */
    public boolean undo() {
        Revision last = history.poll();
        if (last == null) return false;
        Item item = last.item;
        item.revisions.remove(item.revisions.size() - 1);
        if (item.revisions.isEmpty()) {
            discard(item);
            listener.undone(item.number);
        } else {
            Revision previous = item.current();
            waiting.remove(item);
            if (item.shownRevision != previous.id) {
                if (item.results.get(previous.id) != null) show(item, previous);
                else request(item);
            }
        }
        idleCheck();
        return true;
    }

    /** Drops every waiting request (their gestures are taken back); the running one goes on. */
    public void dropWaiting() {
        List<Item> dropped = new ArrayList<>(waiting);
        waiting.clear();
        for (Item item : dropped) rollBack(item);
        idleCheck();
    }

    /** Whether nothing is running or waiting. */
    public boolean isIdle() {
        return running == null && waiting.isEmpty();
    }

    /** Whether there is a gesture to undo. */
    public boolean canUndo() {
        return !history.isEmpty();
    }

    /** The highest number of an object that exists or is on its way (0 if none). */
    public int highestNumber() {
        int max = 0;
        for (Revision r : history) max = Math.max(max, r.item.number);
        if (running != null && !running.item.gone) max = Math.max(max, running.item.number);
        return max;
    }

    /** The number of the object shift- and alt-clicks on plane would refine, or -1. */
    public int refinableNumber(P plane) {
        Item item = lastItemOn(plane);
        return item == null ? -1 : item.number;
    }

    /** The current prompt of object number, or null (for the status line and tests). */
    public Prompt promptOf(int number) {
        for (Revision r : history) {
            if (r.item.number == number) return r.item.current().prompt;
        }
        return null;
    }

    // --- internals -------------------------------------------------------------------------

    private Item lastItemOn(P plane) {
        Revision last = history.peek();
        return last != null && last.item.plane.equals(plane) ? last.item : null;
    }

    private void request(Item item) {
        if (running != null) {
            waiting.add(item); // merges with a waiting request of the same object
            return;
        }
        send(item);
    }

    private void send(Item item) {
        Revision revision = item.current();
        running = revision;
        listener.working(item.number, item.shown != null);
        CompletableFuture<R> future;
        try {
            future = segmenter.segment(item.plane, revision.prompt, item.number);
        } catch (RuntimeException e) {
            future = new CompletableFuture<>();
            future.completeExceptionally(e);
        }
        future.whenComplete((outline, error) -> home.execute(() -> finished(revision, outline, error)));
    }

    private void finished(Revision revision, R outline, Throwable error) {
        if (running == revision) running = null;
        Item item = revision.item;
        if (!item.gone) {
            if (error != null) {
                // a newer prompt of the object is waiting and will be sent; only the newest counts
                if (item.current() == revision) {
                    rollBack(item);
                    listener.failed(item.number, unwrap(error));
                }
            } else {
                item.results.put(revision.id, outline);
                if (item.current() == revision) {
                    if (outline == null) {
                        rollBack(item);
                        listener.nothingFound(item.number);
                    } else {
                        show(item, revision);
                    }
                }
            }
        }
        Iterator<Item> next = waiting.iterator();
        if (running == null && next.hasNext()) {
            Item item2 = next.next();
            next.remove();
            send(item2);
        }
        idleCheck();
    }

    private void show(Item item, Revision revision) {
        R outline = item.results.get(revision.id);
        item.shown = item.shown == null ? sink.add(outline) : sink.replace(item.shown, outline);
        item.shownRevision = revision.id;
        listener.shown(item.number, revision.gestureNanos);
    }

    /**
     * Back to the revision the sink shows (or the one being segmented now); an object left with
     * nothing is discarded.
     */
    private void rollBack(Item item) {
        waiting.remove(item);
        while (!item.revisions.isEmpty() && item.current().id != item.shownRevision && item.current() != running) {
            history.remove(item.revisions.remove(item.revisions.size() - 1));
        }
        if (item.revisions.isEmpty()) discard(item);
    }

    private void discard(Item item) {
        item.gone = true;
        waiting.remove(item);
        for (Revision r : item.revisions) history.remove(r);
        item.revisions.clear();
        if (item.shown != null) sink.remove(item.shown);
        item.shown = null;
    }

    private void idleCheck() {
        if (isIdle()) listener.idle();
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    /** One object of this image. */
    private final class Item {
        final int number;
        final P plane;
        /** Prompt revisions, oldest first; the last is the current prompt. */
        final List<Revision> revisions = new ArrayList<>();
        /** Results by revision id (null: the model found nothing). */
        final Map<Long, R> results = new HashMap<>();
        R shown;
        long shownRevision = -1;
        boolean gone;

        Item(int number, P plane) {
            this.number = number;
            this.plane = plane;
        }

        Revision current() {
            return revisions.get(revisions.size() - 1);
        }
    }

    /** One gesture's prompt for one object. */
    private final class Revision {
        final Item item;
        final long id;
        final Prompt prompt;
        final long gestureNanos;

        Revision(Item item, long id, Prompt prompt, long gestureNanos) {
            this.item = item;
            this.id = id;
            this.prompt = prompt;
            this.gestureNanos = gestureNanos;
        }
    }
}
