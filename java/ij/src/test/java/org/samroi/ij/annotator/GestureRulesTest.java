package org.samroi.ij.annotator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.Rectangle;

import org.junit.jupiter.api.Test;
import org.samroi.ij.annotator.Gesture.Kind;
import org.samroi.ij.annotator.GestureRules.Tool;

/** Which prompt a mouse gesture makes. */
class GestureRulesTest {

    static Gesture rect(boolean shift, boolean alt, double moved, Rectangle drawn) {
        return GestureRules.decide(Tool.RECTANGLE, shift, alt, moved, 40, 50, drawn);
    }

    @Test
    void aDrawnRectangleIsABoxWhateverTheKeys() {
        Rectangle r = new Rectangle(10, 20, 30, 25);
        for (boolean shift : new boolean[] {false, true}) {
            Gesture g = rect(shift, false, 40, r);
            assertEquals(Kind.NEW_BOX, g.kind());
            assertEquals(r, g.box());
            assertEquals("box (10, 20, 39, 44)", g.newPrompt().toString());
        }
    }

    @Test
    void draggingWithoutANewRectangleIsNoPrompt() {
        assertNull(rect(false, false, 40, null), "an existing selection was moved");
        assertNull(rect(false, false, 40, new Rectangle(3, 3, 1, 9)), "too thin for a box");
    }

    @Test
    void clicksWithTheRectangleOrPointToolArePoints() {
        for (Tool tool : new Tool[] {Tool.RECTANGLE, Tool.POINT}) {
            Gesture g = GestureRules.decide(tool, false, false, 1, 40, 50, null);
            assertEquals(Kind.NEW_POINT, g.kind());
            assertEquals("point (40, 50)", g.newPrompt().toString());
            assertEquals(Kind.ADD_POSITIVE, GestureRules.decide(tool, true, false, 0, 40, 50, null).kind());
            assertEquals(Kind.ADD_NEGATIVE, GestureRules.decide(tool, false, true, 0, 40, 50, null).kind());
            assertEquals(Kind.ADD_NEGATIVE, GestureRules.decide(tool, true, true, 0, 40, 50, null).kind(),
                    "alt wins over shift");
        }
    }

    @Test
    void thePointToolIgnoresASmallDragAndTheRectangleToolsClickSlopIsSmall() {
        assertEquals(Kind.NEW_POINT, GestureRules.decide(Tool.POINT, false, false, 12, 7, 8, null).kind());
        assertEquals(Kind.NEW_POINT, rect(false, false, GestureRules.CLICK_SLOP, null).kind());
        assertNull(rect(false, false, GestureRules.CLICK_SLOP + 1, null));
    }

    @Test
    void otherToolsMakeNoPrompt() {
        assertNull(GestureRules.decide(Tool.OTHER, false, false, 0, 1, 1, null));
        assertNull(GestureRules.decide(Tool.OTHER, false, false, 50, 1, 1, new Rectangle(0, 0, 20, 20)));
    }

    @Test
    void refinementsAddLabelledPoints() {
        org.samroi.core.Prompt p = Gesture.click(Kind.NEW_POINT, 1, 2).newPrompt();
        p = Gesture.click(Kind.ADD_POSITIVE, 3, 4).refine(p);
        p = Gesture.click(Kind.ADD_NEGATIVE, 5, 6).refine(p);
        assertEquals("point (1, 2), point (3, 4), background point (5, 6)", p.toString());
        assertThrows(IllegalStateException.class, () -> Gesture.click(Kind.NEW_POINT, 0, 0).refine(null));
        assertThrows(IllegalArgumentException.class, () -> Gesture.box(new Rectangle(0, 0, 1, 5)));
    }
}
