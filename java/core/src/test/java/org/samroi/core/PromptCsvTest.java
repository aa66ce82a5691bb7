package org.samroi.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import groovy.json.JsonSlurper;

/** The Java reader of prompt CSV files against the Python one (the command line's). */
class PromptCsvTest {

    /** Files covering every rule: read by both readers, results and messages must agree. */
    private static final String[][] CASES = {
        { "documented.csv", "prompt,x,y,label,x0,y0,x1,y1\ncell1,120,80,1,,,,\ncell1,130,95,0,,,,\ncell2,,,,200,150,260,210\n" },
        { "positions.csv", "\uFEFF# made by hand\n\nX, y ,Label,c,z,t,kind\n\"12.5\",3,,0,2,1,point\n4,5,0,,,,\n 1e1 ,.5,1,0,0,0,\n" },
        { "boxes.csv", "x0,y0,x1,y1\n1,2,3,4\n5,6,5,6\n" },
        { "unknown.csv", "x,y,size\n1,2,3\n" },
        { "twice.csv", "x,y,X\n1,2,3\n" },
        { "nothing.csv", "label,kind\n1,point\n" },
        { "partial.csv", "x,y,x0,y0\n1,2,,\n" },
        { "both.csv", "x,y,x0,y0,x1,y1\n1,2,3,4,5,6\n" },
        { "neither.csv", "x,y,label\n,,1\n" },
        { "notanumber.csv", "x,y\nabc,2\n" },
        { "infinite.csv", "x,y\ninf,2\n" },
        { "label.csv", "x,y,label\n1,2,2\n" },
        { "labelfloat.csv", "x,y,label\n1,2,1.0\n" },
        { "kind.csv", "x,y,kind\n1,2,circle\n" },
        { "kindmismatch.csv", "x,y,x0,y0,x1,y1,kind\n,,1,2,3,4,point\n" },
        { "boxlabel.csv", "x0,y0,x1,y1,label\n1,2,3,4,1\n" },
        { "corners.csv", "x0,y0,x1,y1\n5,3,1,9\n" },
        { "twoboxes.csv", "prompt,x0,y0,x1,y1\na,1,2,3,4\na,5,6,7,8\n" },
        { "position.csv", "prompt,x,y,z\na,1,2,1\na,3,4,2\n" },
        { "negative.csv", "x,y,z\n1,2,-1\n" },
        { "toolong.csv", "x,y\n1,2,3\n" },
        { "empty.csv", "# only a comment\n\n" },
        { "headeronly.csv", "x,y\n" },
    };

    @Test
    void readsWhatThePythonReaderReadsAndFailsWithItsMessages(@TempDir Path tmp) throws Exception {
        List<String> cmd = new ArrayList<>(Arrays.asList(TestSupport.python().toString(), resource(tmp).toString()));
        for (String[] c : CASES) {
            Path file = tmp.resolve(c[0]);
            Files.write(file, c[1].getBytes(StandardCharsets.UTF_8));
            cmd.add(file.toString());
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = read(p.getInputStream());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        String[] lines = out.trim().split("\n");
        assertEquals(CASES.length, lines.length, out);
        for (int i = 0; i < CASES.length; i++) {
            Map<?, ?> python = (Map<?, ?>) new JsonSlurper().parseText(lines[i]);
            Path file = tmp.resolve(CASES[i][0]);
            if (python.containsKey("error")) {
                PromptCsv.FormatException e = assertThrows(PromptCsv.FormatException.class, () -> PromptCsv.read(file),
                        CASES[i][0]);
                assertEquals(python.get("error"), e.problem(), CASES[i][0]);
                continue;
            }
            List<PromptCsv.Entry> java = PromptCsv.read(file);
            List<?> prompts = (List<?>) python.get("prompts");
            assertEquals(prompts.size(), java.size(), CASES[i][0]);
            for (int k = 0; k < prompts.size(); k++) assertSame((Map<?, ?>) prompts.get(k), java.get(k), CASES[i][0] + " #" + k);
        }
    }

    @Test
    void documentedExampleGivesTwoNamedPrompts() throws Exception {
        List<PromptCsv.Entry> e = PromptCsv.parse(CASES[0][1], "prompts.csv");
        assertEquals(2, e.size());
        assertEquals("cell1", e.get(0).name());
        assertEquals(2, e.get(0).prompt().points().size());
        assertEquals(false, e.get(0).prompt().points().get(1).positive());
        assertNull(e.get(0).prompt().box());
        assertEquals(200.0, e.get(1).prompt().box().x0());
        assertEquals(210.0, e.get(1).prompt().box().y1());
        assertEquals(4, e.get(1).line());
        assertNull(e.get(1).position());
        List<PromptCsv.Entry> p = PromptCsv.parse(CASES[1][1], "p.csv");
        assertEquals("001", p.get(0).name());
        assertArrayEquals(new int[] { 0, 2, 1 }, p.get(0).position());
        assertNull(p.get(2).position(), "0,0,0 is no position");
        assertEquals(Arrays.asList("a", "b,c", "d\"e", " \"f\""), PromptCsv.fields("a,\"b,c\",\"d\"\"e\", \"f\""));
    }

    private static void assertSame(Map<?, ?> python, PromptCsv.Entry java, String what) {
        assertEquals(python.get("name"), java.name(), what);
        List<?> points = (List<?>) python.get("points");
        List<?> labels = (List<?>) python.get("labels");
        assertEquals(points.size(), java.prompt().points().size(), what);
        for (int i = 0; i < points.size(); i++) {
            List<?> xy = (List<?>) points.get(i);
            Prompt.Point q = java.prompt().points().get(i);
            assertEquals(((Number) xy.get(0)).doubleValue(), q.x(), what);
            assertEquals(((Number) xy.get(1)).doubleValue(), q.y(), what);
            assertEquals(((Number) labels.get(i)).intValue() == 1, q.positive(), what);
        }
        List<?> box = (List<?>) python.get("box");
        if (box == null) {
            assertNull(java.prompt().box(), what);
        } else {
            Prompt.Box b = java.prompt().box();
            assertArrayEquals(new double[] { num(box.get(0)), num(box.get(1)), num(box.get(2)), num(box.get(3)) },
                    new double[] { b.x0(), b.y0(), b.x1(), b.y1() }, what);
        }
        List<?> position = (List<?>) python.get("position");
        if (position == null) {
            assertNull(java.position(), what);
        } else {
            assertArrayEquals(new int[] { (int) num(position.get(0)), (int) num(position.get(1)), (int) num(position.get(2)) },
                    java.position(), what);
        }
    }

    private static double num(Object o) {
        return ((Number) o).doubleValue();
    }

    private static Path resource(Path tmp) throws Exception {
        Path script = tmp.resolve("read_prompts_csv.py");
        try (InputStream in = PromptCsvTest.class.getResourceAsStream("read_prompts_csv.py")) {
            Files.write(script, readBytes(in));
        }
        return script;
    }

    private static byte[] readBytes(InputStream in) throws java.io.IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) b.write(buf, 0, n);
        return b.toByteArray();
    }

    private static String read(InputStream in) throws java.io.IOException {
        return new String(readBytes(in), StandardCharsets.UTF_8);
    }
}
