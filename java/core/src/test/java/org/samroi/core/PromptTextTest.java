package org.samroi.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PromptTextTest {

    @Test
    void pointsParseAndFormatBack() throws Exception {
        List<Prompt.Point> points = PromptText.parsePoints(" 12,30 ; 40.5, 7 ", false);
        assertEquals(2, points.size());
        assertEquals(40.5, points.get(1).x());
        assertEquals(7.0, points.get(1).y());
        assertTrue(!points.get(0).positive());
        assertEquals("12,30;40.5,7", PromptText.formatPoints(points));
        assertTrue(PromptText.parsePoints("  ", true).isEmpty());
    }

    @Test
    void rectangleIsImageJStyle() throws Exception {
        Prompt.Box box = PromptText.parseRectangle("10,20,5,1");
        assertEquals(10.0, box.x0());
        assertEquals(20.0, box.y0());
        assertEquals(14.0, box.x1());
        assertEquals(20.0, box.y1());
        assertEquals("10,20,5,1", PromptText.formatRectangle(box));
        assertNull(PromptText.parseRectangle(""));
    }

    @Test
    void badTextSaysWhatIsWrong() {
        SamException e = assertThrows(PromptText.SyntaxException.class, () -> PromptText.parsePoints("1,2;3", true));
        assertTrue(e.getMessage().contains("'3' has 1 number(s), expected 2"), e.getMessage());
        e = assertThrows(PromptText.SyntaxException.class, () -> PromptText.parsePoints("1,x", true));
        assertTrue(e.getMessage().contains("'x' is not a number"), e.getMessage());
        e = assertThrows(PromptText.SyntaxException.class, () -> PromptText.parseRectangle("1,2,0,4"));
        assertTrue(e.getMessage().contains("at least 1 pixel"), e.getMessage());
        e = assertThrows(PromptText.SyntaxException.class, () -> PromptText.parsePoints("1,NaN", true));
        assertTrue(e.getMessage().contains("finite"), e.getMessage());
    }

    @Test
    void namesMatchTheCommandLine() {
        assertEquals("007-efficientsam-ti", ObjectNames.name(7, "efficientsam-ti"));
        assertEquals("1234-mobilesam", ObjectNames.name(1234, "mobilesam"));
        assertEquals(7, ObjectNames.promptNumber("007-efficientsam-ti"));
        assertEquals(-1, ObjectNames.promptNumber("cell-7"));
        assertEquals(-1, ObjectNames.promptNumber("0508-0123")); // ImageJ's name for a ROI at y 508, x 123
        assertEquals(-1, ObjectNames.promptNumber("0001-0508-0123"));
        assertEquals(-1, ObjectNames.promptNumber("007-"));
        assertEquals(-1, ObjectNames.promptNumber(null));
    }
}
