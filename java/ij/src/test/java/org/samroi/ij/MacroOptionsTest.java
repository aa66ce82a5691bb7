package org.samroi.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.samroi.core.SamException;

/** Macro option strings as ImageJ's recorder writes them, read back. */
class MacroOptionsTest {

    @Test
    void readsPairsBracketsAndFlags() throws Exception {
        MacroOptions o = MacroOptions.parse("model=mobilesam points=10,20;30.5,40 checkpoint=[/a b/c.pt] all_parts "
                + "output=[ROI Manager] simplify=1.5");
        assertEquals("mobilesam", o.get("model", null));
        assertEquals("10,20;30.5,40", o.get("points", null));
        assertEquals("/a b/c.pt", o.get("checkpoint", null));
        assertEquals("ROI Manager", o.get("output", null));
        assertTrue(o.flag("all_parts"));
        assertFalse(o.flag("remove"));
        assertEquals(1.5, o.number("simplify", 0), 0);
        assertEquals(7, o.position("slice", 7));
    }

    @Test
    void refusesUnknownKeysAndBadNumbers() throws Exception {
        SamException e = assertThrows(SamException.class,
                () -> MacroOptions.parse("point=1,2").requireKnown(SegmentCommand.KEYS, "Segment"));
        assertTrue(e.getMessage().contains("'point' is not an option of Segment"), e.getMessage());
        assertTrue(e.getMessage().contains("points"), "the message lists the options: " + e.getMessage());
        assertThrows(SamException.class, () -> MacroOptions.parse("simplify=-1").number("simplify", 0));
        assertThrows(SamException.class, () -> MacroOptions.parse("slice=0").position("slice", 1));
        assertThrows(SamException.class, () -> MacroOptions.parse("box=[1,2,3,4"));
    }

    @Test
    void optionListsRoundTrip() throws Exception {
        OptionList list = new OptionList().put("model", "efficientsam-ti").put("checkpoint", "/x y/z.pt")
                .flag("all_parts", true).putIfGiven("points", " ").put("output", "Label image");
        assertEquals("model=efficientsam-ti checkpoint=[/x y/z.pt] all_parts output=[Label image]", list.toString());
        MacroOptions back = list.toOptions().requireKnown(Arrays.asList("model", "checkpoint", "all_parts", "output"), "t");
        assertEquals("/x y/z.pt", back.get("checkpoint", null));
        assertTrue(back.flag("all_parts"));
    }
}
