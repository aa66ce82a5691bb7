package org.samroi.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The JNA check sees the JNA appose was built with (5.14.0) and finds it usable. */
class JnaCheckTest {

    @Test
    void theJnaOnTheClassPathIsNamedAndUsable() throws Exception {
        assertEquals("5.14.0", JnaCheck.version());
        assertTrue(JnaCheck.location().endsWith("jna-5.14.0.jar"), JnaCheck.location());
        assertTrue(JnaCheck.isUsable());
        JnaCheck.require(); // does not throw
    }
}
