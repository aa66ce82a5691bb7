package org.samroi.icy.logic;

import java.util.TreeSet;

import org.samroi.core.ObjectNames;
import org.samroi.core.Prompt;
import org.samroi.core.SamException;

/**
 * What the prompts drawn on one sequence do, as in the Fiji plugin: a plain click or box starts
 * a new object; with Shift the click adds a point on the object (a box replaces its box) and
 * with Alt the click marks background, both refining the object segmented last, on the same
 * plane. Objects are numbered after the highest samroi number already on the sequence.
 */
public final class AnnotationState {

    /** One segmentation to run: which object, with which prompt, on which plane. */
    public static final class Step {
        private final int number;
        private final Prompt prompt;
        private final Plane plane;
        private final boolean refines;
        private final Step previous; // what "last" was before this step, for a step that fails

        Step(int number, Prompt prompt, Plane plane, boolean refines, Step previous) {
            this.number = number;
            this.prompt = prompt;
            this.plane = plane;
            this.refines = refines;
            this.previous = previous;
        }

        /** The object's number (its name is ObjectNames.name(number, model)). */
        public int number() {
            return number;
        }

        public Prompt prompt() {
            return prompt;
        }

        public Plane plane() {
            return plane;
        }

        /** Whether this replaces the outline of an existing object. */
        public boolean refines() {
            return refines;
        }

        @Override
        public String toString() {
            return "object " + number + (refines ? " (refined)" : "") + " on " + plane + ": " + prompt.points()
                    + (prompt.box() == null ? "" : " " + prompt.box());
        }
    }

    private final TreeSet<Integer> given = new TreeSet<>();
    private Step last;

    /**
     * The step a point (pixel indices, see {@link PromptGeometry}) or a box (one of them null)
     * on plane makes, given the names of the ROIs now on the sequence.
     *
     * @throws SamException for Alt without an object on this plane to refine
     */
    public synchronized Step next(Prompt.Point point, Prompt.Box box, boolean shift, boolean alt, Plane plane,
            Iterable<String> names) throws SamException {
        if ((point == null) == (box == null)) throw new IllegalArgumentException("a point or a box");
        boolean refine = (shift || alt) && last != null && last.plane.equals(plane);
        if (alt && !refine) {
            throw new SamException("Alt-click marks background for the object segmented last, and there is none on this "
                    + "plane yet.", "Click an object first (or Shift-click to add a point to it).");
        }
        Step step;
        if (refine) {
            Prompt p = last.prompt;
            p = point != null ? p.withPoint(point.x(), point.y(), !alt) : p.withBox(box.x0(), box.y0(), box.x1(), box.y1());
            step = new Step(last.number, p, plane, true, last);
        } else {
            Prompt p = point != null ? Prompt.of(java.util.Collections.singletonList(
                    new Prompt.Point(point.x(), point.y(), true)), null) : Prompt.of(null, box);
            step = new Step(nextNumber(names), p, plane, false, last);
            given.add(step.number);
        }
        last = step;
        return step;
    }

    /** The object segmented last, or null. */
    public synchronized Step last() {
        return last;
    }

    /**
     * The step found nothing or failed: the object is as before it (a new object is dropped,
     * a refinement's extra point or box is forgotten), unless later steps were made meanwhile.
     */
    public synchronized void failed(Step step) {
        if (last == step) last = step.previous;
    }

    /** The user removed object number's outline: Shift/Alt no longer refine it. */
    public synchronized void forget(int number) {
        if (last != null && last.number == number) last = null;
    }

    private int nextNumber(Iterable<String> names) {
        int max = given.isEmpty() ? 0 : given.last();
        for (String n : names) max = Math.max(max, ObjectNames.promptNumber(n));
        return max + 1;
    }
}
