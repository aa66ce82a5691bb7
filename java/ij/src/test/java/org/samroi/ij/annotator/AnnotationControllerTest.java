package org.samroi.ij.annotator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.samroi.core.Prompt;
import org.samroi.core.SamCancelledException;

/**
 * The Annotator's rules without ImageJ: a fake segmenter whose answers the test gives, a list
 * for the ROI Manager, gestures as the mouse rules make them.
 */
class AnnotationControllerTest {

    /** One call of the segmenter, answered by the test. */
    static final class Call {
        final String plane;
        final Prompt prompt;
        final int number;
        final CompletableFuture<String> answer = new CompletableFuture<>();

        Call(String plane, Prompt prompt, int number) {
            this.plane = plane;
            this.prompt = prompt;
            this.number = number;
        }

        /** The outline the fake segmenter makes: number, plane and the prompt's points. */
        String outline() {
            return number + "@" + plane + ":" + prompt;
        }

        void succeed() {
            answer.complete(outline());
        }
    }

    final List<Call> calls = new ArrayList<>();
    /** The ROI Manager: outlines in list order. */
    final List<String> manager = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    int numbers;
    AnnotationController<String, String> controller;

    @BeforeEach
    void setUp() {
        Segmenter<String, String> segmenter = (plane, prompt, number) -> {
            Call c = new Call(plane, prompt, number);
            calls.add(c);
            return c.answer;
        };
        RoiSink<String> sink = new RoiSink<String>() {
            @Override
            public String add(String outline) {
                manager.add(outline);
                return outline;
            }

            @Override
            public String replace(String old, String now) {
                int i = manager.indexOf(old);
                if (i < 0) manager.add(now);
                else manager.set(i, now);
                return now;
            }

            @Override
            public void remove(String old) {
                manager.remove(old);
            }
        };
        AnnotationListener listener = new AnnotationListener() {
            @Override
            public void shown(int number, long gestureNanos) {
                events.add("shown " + number);
            }

            @Override
            public void undone(int number) {
                events.add("undone " + number);
            }

            @Override
            public void nothingFound(int number) {
                events.add("nothing " + number);
            }

            @Override
            public void failed(int number, Throwable error) {
                events.add("failed " + number + " " + error.getClass().getSimpleName());
            }

            @Override
            public void refused(String reason) {
                events.add("refused");
            }
        };
        controller = new AnnotationController<>(segmenter, sink, Runnable::run, () -> ++numbers, listener);
    }

    static Gesture click(int x, int y) {
        return Gesture.click(Gesture.Kind.NEW_POINT, x, y);
    }

    static Gesture shift(int x, int y) {
        return Gesture.click(Gesture.Kind.ADD_POSITIVE, x, y);
    }

    static Gesture alt(int x, int y) {
        return Gesture.click(Gesture.Kind.ADD_NEGATIVE, x, y);
    }

    Call last() {
        return calls.get(calls.size() - 1);
    }

    @Test
    void boxesAndClicksMakeNumberedObjects() {
        assertTrue(controller.gesture(Gesture.box(new Rectangle(10, 20, 30, 40)), "A", 0));
        assertEquals("box (10, 20, 39, 59)", last().prompt.toString());
        assertEquals(1, last().number);
        last().succeed();
        controller.gesture(click(5, 6), "A", 0);
        assertEquals("point (5, 6)", last().prompt.toString());
        assertEquals(2, last().number);
        last().succeed();
        assertEquals(Arrays.asList("1@A:box (10, 20, 39, 59)", "2@A:point (5, 6)"), manager);
        assertEquals(Arrays.asList("shown 1", "shown 2"), events);
        assertTrue(controller.isIdle());
        assertEquals(2, controller.highestNumber());
    }

    @Test
    void shiftAndAltClicksRefineTheLastObjectInPlace() {
        controller.gesture(click(1, 1), "A", 0);
        last().succeed();
        controller.gesture(click(50, 50), "A", 0);
        last().succeed();
        controller.gesture(shift(52, 53), "A", 0);
        assertEquals(2, last().number);
        assertEquals("point (50, 50), point (52, 53)", last().prompt.toString());
        last().succeed();
        controller.gesture(alt(60, 61), "A", 0);
        assertEquals("point (50, 50), point (52, 53), background point (60, 61)", last().prompt.toString());
        last().succeed();
        assertEquals(2, manager.size(), "refinements replace, they do not add");
        assertEquals("1@A:point (1, 1)", manager.get(0));
        assertEquals("2@A:point (50, 50), point (52, 53), background point (60, 61)", manager.get(1));
    }

    @Test
    void undoTakesBackOneGestureAtATimeWithoutSegmentingAgain() {
        controller.gesture(Gesture.box(new Rectangle(0, 0, 9, 9)), "A", 0);
        last().succeed();
        controller.gesture(click(50, 50), "A", 0);
        last().succeed();
        controller.gesture(shift(52, 53), "A", 0);
        last().succeed();
        controller.gesture(alt(60, 61), "A", 0);
        last().succeed();
        int sent = calls.size();

        assertTrue(controller.undo());
        assertEquals("2@A:point (50, 50), point (52, 53)", manager.get(1));
        assertTrue(controller.undo());
        assertEquals("2@A:point (50, 50)", manager.get(1));
        assertTrue(controller.undo());
        assertEquals(Arrays.asList("1@A:box (0, 0, 8, 8)"), manager);
        assertTrue(controller.undo());
        assertTrue(manager.isEmpty());
        assertFalse(controller.undo(), "nothing left: Ctrl+Z goes back to ImageJ");
        assertEquals(sent, calls.size(), "earlier outlines are kept, not recomputed");
        assertEquals(0, controller.highestNumber());
    }

    @Test
    void clicksWhileBusyQueueNewObjectsAndMergeRefinementsOfOneObject() {
        controller.gesture(click(1, 1), "A", 0); // running
        controller.gesture(click(2, 2), "A", 0); // waits
        controller.gesture(click(3, 3), "A", 0); // waits
        controller.gesture(shift(4, 4), "A", 0); // merges into object 3
        controller.gesture(shift(5, 5), "A", 0); // merges into object 3
        assertEquals(1, calls.size(), "one request at a time");
        assertFalse(controller.isIdle());
        calls.get(0).succeed();
        assertEquals(2, calls.size());
        assertEquals(2, last().number);
        last().succeed();
        assertEquals(3, calls.size());
        assertEquals(3, last().number);
        assertEquals("point (3, 3), point (4, 4), point (5, 5)", last().prompt.toString(),
                "object 3 is sent once, with its newest prompt");
        last().succeed();
        assertEquals(3, calls.size());
        assertEquals(3, manager.size());
        assertTrue(controller.isIdle());
        // the merged refinements are still separate steps for undo
        controller.undo();
        assertEquals(4, calls.size(), "the 2-point prompt was never computed: computed now");
        assertEquals("point (3, 3), point (4, 4)", last().prompt.toString());
        last().succeed();
        assertEquals("3@A:point (3, 3), point (4, 4)", manager.get(2));
    }

    @Test
    void anOutdatedResultIsNotShownButKeptForUndo() {
        controller.gesture(click(1, 1), "A", 0);
        controller.gesture(shift(2, 2), "A", 0);
        calls.get(0).succeed(); // answers the 1-point prompt, which is no longer the newest
        assertTrue(manager.isEmpty());
        assertEquals(2, calls.size());
        last().succeed();
        assertEquals(Arrays.asList("1@A:point (1, 1), point (2, 2)"), manager);
        controller.undo();
        assertEquals(Arrays.asList("1@A:point (1, 1)"), manager);
        assertEquals(2, calls.size());
    }

    @Test
    void undoOfAnObjectOnItsWayDropsItsResult() {
        controller.gesture(click(1, 1), "A", 0);
        controller.undo();
        last().succeed();
        assertTrue(manager.isEmpty());
        assertTrue(controller.isIdle());
        assertFalse(controller.canUndo());
    }

    @Test
    void aFailedNewObjectLeavesNothingAndAFailedRefinementKeepsTheOutline() {
        controller.gesture(click(1, 1), "A", 0);
        last().answer.completeExceptionally(new IllegalStateException("worker gone"));
        assertTrue(manager.isEmpty());
        assertFalse(controller.canUndo());
        assertEquals("failed 1 IllegalStateException", events.get(events.size() - 1));

        controller.gesture(click(7, 7), "A", 0);
        last().succeed();
        controller.gesture(shift(8, 8), "A", 0);
        last().answer.completeExceptionally(new SamCancelledException("Segmenting"));
        assertEquals(Arrays.asList(last().number + "@A:point (7, 7)"), manager);
        assertEquals("point (7, 7)", controller.promptOf(last().number).toString());
        assertEquals("failed " + last().number + " SamCancelledException", events.get(events.size() - 1));
        controller.undo();
        assertTrue(manager.isEmpty(), "the failed refinement is no step of its own");
    }

    @Test
    void aSegmenterThatThrowsCountsAsAFailure() {
        AnnotationController<String, String> c = new AnnotationController<>((plane, prompt, number) -> {
            throw new IllegalArgumentException("not an image samroi can take");
        }, new RoiSink<String>() {
            @Override
            public String add(String outline) {
                manager.add(outline);
                return outline;
            }

            @Override
            public String replace(String old, String now) {
                return now;
            }

            @Override
            public void remove(String old) {
            }
        }, Runnable::run, () -> 1, new AnnotationListener() {
            @Override
            public void failed(int number, Throwable error) {
                events.add(error.getMessage());
            }
        });
        c.gesture(click(1, 1), "A", 0);
        assertEquals(Arrays.asList("not an image samroi can take"), events);
        assertTrue(c.isIdle());
        assertFalse(c.canUndo());
    }

    @Test
    void nothingFoundDropsTheGesture() {
        controller.gesture(click(1, 1), "A", 0);
        last().answer.complete(null);
        assertTrue(manager.isEmpty());
        assertEquals(Arrays.asList("nothing 1"), events);
        assertFalse(controller.canUndo());
    }

    @Test
    void altClickWithoutAnObjectIsRefusedAndShiftClickStartsOne() {
        assertFalse(controller.gesture(alt(1, 1), "A", 0));
        assertEquals(Arrays.asList("refused"), events);
        assertTrue(calls.isEmpty());
        assertTrue(controller.gesture(shift(2, 2), "A", 0));
        assertEquals("point (2, 2)", last().prompt.toString());
    }

    @Test
    void refinementsStayOnTheirPlane() {
        controller.gesture(click(1, 1), "slice 1", 0);
        last().succeed();
        assertEquals(1, controller.refinableNumber("slice 1"));
        assertEquals(-1, controller.refinableNumber("slice 2"));
        controller.gesture(shift(2, 2), "slice 2", 0);
        assertEquals(2, last().number, "a shift-click on another plane starts an object there");
        assertEquals("slice 2", last().plane);
        last().succeed();
        assertFalse(controller.gesture(alt(3, 3), "slice 1", 0), "the last object is on slice 2");
    }

    @Test
    void dropWaitingTakesBackWaitingGesturesOnly() {
        controller.gesture(click(1, 1), "A", 0);
        last().succeed();
        controller.gesture(click(2, 2), "A", 0); // running
        controller.gesture(shift(3, 3), "A", 0); // waiting refinement of 2
        controller.gesture(click(4, 4), "A", 0); // waiting new object
        controller.dropWaiting();
        last().answer.completeExceptionally(new SamCancelledException("Segmenting"));
        assertEquals(Arrays.asList("1@A:point (1, 1)"), manager);
        assertTrue(controller.isIdle());
        assertEquals(2, calls.size());
        controller.undo();
        assertTrue(manager.isEmpty());
        assertFalse(controller.canUndo());
    }

    @Test
    void afterDropWaitingTheRunningPromptStillLands() {
        controller.gesture(click(2, 2), "A", 0); // running
        controller.gesture(shift(3, 3), "A", 0); // waiting refinement
        controller.dropWaiting();
        assertEquals("point (2, 2)", controller.promptOf(1).toString());
        last().succeed();
        assertEquals(Arrays.asList("1@A:point (2, 2)"), manager);
        assertEquals(1, calls.size());
    }

    @Test
    void aRefinedOutlineTheUserDeletedComesBack() {
        controller.gesture(click(1, 1), "A", 0);
        last().succeed();
        manager.clear(); // deleted in the ROI Manager
        controller.gesture(shift(2, 2), "A", 0);
        last().succeed();
        assertEquals(Arrays.asList("1@A:point (1, 1), point (2, 2)"), manager);
    }

    @Test
    void latencyIsReportedFromTheGestureTheOutlineAnswers() {
        long[] seen = new long[1];
        AnnotationController<String, String> c = new AnnotationController<>((plane, prompt, number) -> {
            Call call = new Call(plane, prompt, number);
            calls.add(call);
            return call.answer;
        }, new RoiSink<String>() {
            @Override
            public String add(String outline) {
                return outline;
            }

            @Override
            public String replace(String old, String now) {
                return now;
            }

            @Override
            public void remove(String old) {
            }
        }, Runnable::run, () -> 1, new AnnotationListener() {
            @Override
            public void shown(int number, long gestureNanos) {
                seen[0] = gestureNanos;
            }
        });
        c.gesture(click(1, 1), "A", 111);
        c.gesture(shift(2, 2), "A", 222);
        calls.get(0).succeed();
        assertEquals(0, seen[0]);
        last().succeed();
        assertEquals(222, seen[0]);
        assertSame(calls.get(1), last());
        assertNull(c.promptOf(9));
    }
}
