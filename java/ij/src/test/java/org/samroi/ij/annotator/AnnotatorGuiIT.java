package org.samroi.ij.annotator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Roi;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.samroi.ij.IjTests;

/**
 * The Annotator as a user meets it: real ImageJ in real windows on a virtual display (Xvfb),
 * real mouse and key events (xdotool: the X server delivers them exactly as a mouse would),
 * a real samroi worker with the random-weight EfficientSAM-Ti fixture, real images. Every
 * outline in the ROI Manager must fill exactly the pixels that {@code samroi segment} gives for
 * the same prompt (the random weights make arbitrary blobs, so the library is the reference).
 *
 * <p>
 * <b>Why a second JVM.</b> A Java VM decides at start whether it has a display (DISPLAY is read
 * once, and the Surefire/Failsafe VM may run headless). So this test starts its own Xvfb
 * ({@code -displayfd} picks a free display number and says when it is ready) and runs ImageJ in
 * a child VM on it ({@link AnnotatorHarness}, same class path). The child only sets things up
 * (open an image, choose a tool) and reports (ROI Manager contents as RoiSets, counters of what
 * the Annotator did, screen positions of pixels); every gesture comes from outside through the X
 * server. Waits poll the child's state with time limits; nothing waits a fixed time.
 *
 * <p>
 * Artefacts in {@code <build folder>/annotator-gui/}: screenshots, the RoiSets of each step, the
 * child's stderr.
 */
class AnnotatorGuiIT {

    static final String MODEL = "efficientsam-ti";
    /** The first prompt loads the model (and may build its ONNX graphs on a cold cache). */
    static final long FIRST_TIMEOUT_S = 300;
    static final long TIMEOUT_S = 60;

    // Prompts on cells of the label images (usiigaci_phase_d01: labels 6 and 14; dsb_fluo_d02: label 2;
    // dsb_he_d01: the middle of the image).
    /** A rectangle drawn around cell 6: x, y, width, height. */
    static final int[] BOX = {278, 562, 107, 113};
    static final int[] P1 = {800, 191};
    static final int[] P2 = {790, 195};
    static final int[] NEG = {850, 230};
    static final int[] STACK_P = {155, 98};
    static final int[] RGB_P = {160, 120};

    static Path out;
    static Process xvfb;
    static String display;
    static Child child;

    @BeforeAll
    static void start() throws Exception {
        Path classes = Paths.get(AnnotatorGuiIT.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        out = classes.getParent().resolve("annotator-gui");
        Files.createDirectories(out);
        xvfb = startXvfb();
        child = new Child();
    }

    @AfterAll
    static void stop() throws Exception {
        if (child != null) child.close();
        if (xvfb != null) {
            xvfb.destroy();
            xvfb.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static Path repo() {
        return Paths.get(System.getProperty("samroi.root", "../..")).toAbsolutePath().normalize();
    }

    static Path shared() {
        return Paths.get(System.getProperty("samroi.shared", repo().resolve("../shared").toString())).toAbsolutePath()
                .normalize();
    }

    static Path checkpoint() {
        String p = System.getProperty("samroi.checkpoint", "");
        return p.isEmpty() ? shared().resolve("reference/efficient_sam_vitt_random.pt") : Paths.get(p);
    }

    /** samroi's files (ONNX graphs of the fixture) kept between runs, apart from the user's. */
    static Path samroiHome() throws IOException {
        Path home = Paths.get(System.getProperty("user.home"), ".cache", "samroi-test", "annotator-home");
        Files.createDirectories(home);
        return home;
    }

    @Test
    void annotatesWithRealMouseEvents() throws Exception {
        Path stack = makeTwoSliceStack();
        // The reference outlines, computed by the command line while the GUI runs.
        CompletableFuture<Map<String, List<boolean[]>>> expected = CompletableFuture.supplyAsync(() -> {
            try {
                Map<String, List<boolean[]>> m = new HashMap<>();
                m.put("A", expectedA());
                m.put("B", expectedB(stack));
                m.put("C", expectedC());
                return m;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        String a = child.ask("open 0 100 " + shared().resolve("data/dev/usiigaci_phase_d01.tif")).split(" ")[1];
        child.ask("manager 1500 100");
        child.ask("annotator");

        // 1. A rectangle drawn with the rectangle tool: object 001 from its box.
        child.ask("tool rectangle");
        int[] from = child.screen(a, BOX[0], BOX[1]);
        int[] to = child.screen(a, BOX[0] + BOX[2], BOX[1] + BOX[3]);
        xdotool("mousemove", "--sync", str(from[0]), str(from[1]), "mousedown", "1");
        for (int k = 1; k <= 8; k++) {
            xdotool("mousemove", "--sync", str(from[0] + (to[0] - from[0]) * k / 8), str(from[1] + (to[1] - from[1]) * k / 8));
        }
        xdotool("mouseup", "1");
        State s = child.await(a, FIRST_TIMEOUT_S, "the box's outline", st -> st.num("shown") >= 1);
        assertEquals("box (278, 562, 384, 674)", s.prompt(1), "the box the rectangle tool drew");
        assertEquals(Arrays.asList("001-" + MODEL), s.names());
        long pid = s.num("pid");
        assertEquals("none", s.get("selection"), "the prompt's selection is removed");
        child.save(a, "1-box");

        // 2. A click with the point tool: object 002.
        child.ask("tool point");
        click(a, P1, null);
        s = child.await(a, TIMEOUT_S, "the click's outline", st -> st.num("shown") >= 2);
        assertEquals("point (800, 191)", s.prompt(2));
        assertEquals(Arrays.asList("001-" + MODEL, "002-" + MODEL), s.names());
        assertEquals("none", s.get("selection"), "the prompt's selection is removed");
        child.save(a, "2-click");

        // 3. Shift-click: one more object point for 002, replaced in place.
        click(a, P2, "shift");
        s = child.await(a, TIMEOUT_S, "the refined outline", st -> st.num("shown") >= 3);
        assertEquals("point (800, 191), point (790, 195)", s.prompt(2));
        assertEquals(Arrays.asList("001-" + MODEL, "002-" + MODEL), s.names(), "a refinement replaces, not adds");
        child.save(a, "3-shift");

        // 4. Alt-click: a background point for 002.
        click(a, NEG, "alt");
        s = child.await(a, TIMEOUT_S, "the outline refined by a background point", st -> st.num("shown") >= 4);
        assertEquals("point (800, 191), point (790, 195), background point (850, 230)", s.prompt(2));
        assertEquals(2, s.num("count"));
        assertEquals("none", s.get("selection"), "the prompt's selection is removed");
        child.save(a, "4-alt");
        child.ask("screenshot " + out.resolve("annotator.png"));

        // 5. Ctrl+Z three times: back to two points, to one point, then 002 is gone.
        xdotool("key", "ctrl+z");
        s = child.await(a, TIMEOUT_S, "undo of the alt-click", st -> st.num("shown") >= 5);
        assertEquals("point (800, 191), point (790, 195)", s.prompt(2));
        child.save(a, "5-undo");
        xdotool("key", "ctrl+z");
        s = child.await(a, TIMEOUT_S, "undo of the shift-click", st -> st.num("shown") >= 6);
        child.save(a, "6-undo");
        xdotool("key", "ctrl+z");
        s = child.await(a, TIMEOUT_S, "undo of the click", st -> st.num("undone") >= 1);
        assertEquals(Arrays.asList("001-" + MODEL), s.names());

        // 6. Another image, a stack: a click on slice 2 segments slice 2 and the ROI remembers it.
        String b = child.ask("open 1100 650 " + stack).split(" ")[1];
        child.ask("slice " + b + " 2");
        click(b, STACK_P, null);
        s = child.await(b, TIMEOUT_S, "the outline on slice 2", st -> st.num("shown") >= 7);
        assertEquals("point (155, 98)", s.prompt(2));
        assertEquals(Arrays.asList("001-" + MODEL, "002-" + MODEL), s.names());
        assertEquals("none", s.get("selection"), "the prompt's selection is removed");
        child.save(b, "7-stack");

        // 7. Back to the first image: same worker, same answer as before.
        click(a, P1, null);
        s = child.await(a, TIMEOUT_S, "the outline after switching back", st -> st.num("shown") >= 8);
        assertEquals(Arrays.asList("001-" + MODEL, "002-" + MODEL, "003-" + MODEL), s.names());
        assertEquals(pid, s.num("pid"), "switching images kept the worker");
        assertEquals(0, s.num("failed"), s.get("problem"));
        child.save(a, "8-back");

        // 8. An RGB image, a click while it is still being encoded, then Cancel: nothing is added.
        // (Encoding takes over a second on any CPU; the Cancel click follows within milliseconds.)
        String c = child.ask("open 1100 1000 " + shared().resolve("data/dev/dsb_he_d01.tif")).split(" ")[1];
        click(c, RGB_P, null);
        String[] cancel = child.ask("button Cancel").split(" ");
        xdotool("mousemove", "--sync", cancel[1], cancel[2], "click", "1");
        child.allowedFailures = 1;
        // The click is either running (it then fails as "Cancelled.") or still waiting behind
        // the image's encoding (it is then taken back silently); either way nothing is added.
        s = child.await(c, TIMEOUT_S, "the cancel",
                st -> st.num("failed") == 1 || ("true".equals(st.get("idle")) && st.num("shown") == 8));
        if (s.num("failed") == 1) assertEquals("Cancelled.", s.get("problem").replace('_', ' '));
        assertEquals(3, s.num("count"), "a cancelled prompt adds nothing");
        click(c, RGB_P, null);
        s = child.await(c, TIMEOUT_S, "the outline after the cancel", st -> st.num("shown") >= 9);
        assertEquals(Arrays.asList("001-" + MODEL, "002-" + MODEL, "003-" + MODEL, "004-" + MODEL), s.names());
        assertEquals(pid, s.num("pid"), "cancelling kept the worker");
        child.save(c, "9-rgb");
        child.ask("screenshot " + out.resolve("annotator-end.png"));

        // Every outline, at every step, fills exactly what the library gives for its prompt.
        Map<String, List<boolean[]>> ref = expected.get(TIMEOUT_S * 10, TimeUnit.SECONDS);
        List<boolean[]> refA = ref.get("A");
        List<boolean[]> refB = ref.get("B");
        int w = 1024, h = 1022;
        boolean[] box = refA.get(0), one = refA.get(1), two = refA.get(2), three = refA.get(3);
        checkStep("1-box", Arrays.asList(box), w, h, 0);
        checkStep("2-click", Arrays.asList(box, one), w, h, 0);
        checkStep("3-shift", Arrays.asList(box, two), w, h, 0);
        checkStep("4-alt", Arrays.asList(box, three), w, h, 0);
        checkStep("5-undo", Arrays.asList(box, two), w, h, 0);
        checkStep("6-undo", Arrays.asList(box, one), w, h, 0);
        List<Roi> step7 = IjTests.openRoiSet(out.resolve("7-stack.zip"));
        assertEquals(2, step7.get(1).getPosition(), "the ROI of slice 2 has position 2");
        assertTrue(Arrays.equals(refB.get(0), IjTests.fill(step7.get(1), 256, 256)),
                "002 on slice 2 differs from samroi segment --plane 1");
        checkStep("8-back", Arrays.asList(box, null, one), w, h, 0);
        List<Roi> step9 = IjTests.openRoiSet(out.resolve("9-rgb.zip"));
        assertTrue(Arrays.equals(ref.get("C").get(0), IjTests.fill(step9.get(3), 320, 256)),
                "004 on the RGB image differs from samroi segment");
    }

    /** The ROIs saved at a step fill the expected pixels (null: not checked, another image). */
    static void checkStep(String step, List<boolean[]> want, int width, int height, int position) throws IOException {
        List<Roi> rois = IjTests.openRoiSet(out.resolve(step + ".zip"));
        assertEquals(want.size(), rois.size(), step + ": ROI count");
        for (int i = 0; i < want.size(); i++) {
            if (want.get(i) == null) continue;
            Roi roi = rois.get(i);
            boolean[] got = IjTests.fill(roi, width, height);
            assertTrue(IjTests.count(got) > 0, step + ": " + roi.getName() + " is empty");
            assertTrue(Arrays.equals(want.get(i), got), step + ": " + roi.getName() + " fills " + IjTests.count(got)
                    + " pixels, samroi segment " + IjTests.count(want.get(i)) + " (" + IjTests.mismatches(want.get(i), got)
                    + " differ)");
            assertEquals(position, roi.getPosition(), step + ": " + roi.getName() + " position on a 2-D image");
        }
    }

    // --- the reference: samroi segment ------------------------------------------------------

    /** Box, 1 point, 2 points, 2 points + background point on usiigaci_phase_d01, in that order. */
    static List<boolean[]> expectedA() throws Exception {
        Path csv = out.resolve("prompts-A.csv");
        String p1 = P1[0] + "," + P1[1];
        String p2 = P2[0] + "," + P2[1];
        String neg = NEG[0] + "," + NEG[1];
        List<String> rows = Arrays.asList("prompt,x,y,label,x0,y0,x1,y1",
                "box,,,," + BOX[0] + "," + BOX[1] + "," + (BOX[0] + BOX[2] - 1) + "," + (BOX[1] + BOX[3] - 1),
                "one," + p1 + ",1,,,,", "two," + p1 + ",1,,,,", "two," + p2 + ",1,,,,", "three," + p1 + ",1,,,,",
                "three," + p2 + ",1,,,,", "three," + neg + ",0,,,,");
        Files.write(csv, rows, StandardCharsets.UTF_8);
        Path zip = out.resolve("expected-A.zip");
        samroi("segment", shared().resolve("data/dev/usiigaci_phase_d01.tif").toString(), "--prompts", csv.toString(),
                "--out", zip.toString());
        return fills(zip, 1024, 1022, 4);
    }

    static List<boolean[]> expectedB(Path stack) throws Exception {
        Path zip = out.resolve("expected-B.zip");
        samroi("segment", stack.toString(), "--plane", "1", "--point", STACK_P[0] + "," + STACK_P[1], "--out",
                zip.toString());
        return fills(zip, 256, 256, 1);
    }

    static List<boolean[]> expectedC() throws Exception {
        Path zip = out.resolve("expected-C.zip");
        samroi("segment", shared().resolve("data/dev/dsb_he_d01.tif").toString(), "--point", RGB_P[0] + "," + RGB_P[1],
                "--out", zip.toString());
        return fills(zip, 320, 256, 1);
    }

    static List<boolean[]> fills(Path zip, int width, int height, int n) throws IOException {
        List<Roi> rois = IjTests.openRoiSet(zip);
        assertEquals(n, rois.size(), zip + ": ROI count");
        List<boolean[]> masks = new ArrayList<>();
        for (Roi r : rois) masks.add(IjTests.fill(r, width, height));
        return masks;
    }

    static void samroi(String... args) throws Exception {
        List<String> command = new ArrayList<>(Arrays.asList(System.getProperty("samroi.python", "python3"), "-m",
                "samroi"));
        command.addAll(Arrays.asList(args));
        command.addAll(Arrays.asList("--model", MODEL, "--checkpoint", checkpoint().toString(), "--quiet"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        environment(pb.environment());
        File log = out.resolve("samroi-" + System.nanoTime() + ".log").toFile();
        pb.redirectOutput(log);
        Process p = pb.start();
        if (!p.waitFor(FIRST_TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("samroi " + String.join(" ", args) + " did not finish");
        }
        assertEquals(0, p.exitValue(), "samroi " + String.join(" ", args) + " failed:\n"
                + new String(Files.readAllBytes(log.toPath()), StandardCharsets.UTF_8));
    }

    static void environment(Map<String, String> env) throws IOException {
        env.put("PYTHONPATH", repo().resolve("python").toString());
        env.put("SAMROI_HOME", samroiHome().toString());
        env.put("SAMROI_WEIGHTS_URL", "http://127.0.0.1:9/"); // never the internet
    }

    /** A calibrated 8-bit stack of two fluorescence images (dsb_fluo_d01, dsb_fluo_d02), saved as TIFF. */
    static Path makeTwoSliceStack() {
        ImagePlus one = IJ.openImage(shared().resolve("data/dev/dsb_fluo_d01.tif").toString());
        ImagePlus two = IJ.openImage(shared().resolve("data/dev/dsb_fluo_d02.tif").toString());
        ImageStack stack = new ImageStack(256, 256);
        stack.addSlice("d01", one.getProcessor());
        stack.addSlice("d02", two.getProcessor());
        Path path = out.resolve("two-slices.tif");
        ImagePlus imp = new ImagePlus("two-slices", stack);
        imp.getCalibration().pixelWidth = 0.65; // calibrated: prompts and outlines stay in pixels
        imp.getCalibration().pixelHeight = 0.65;
        imp.getCalibration().setUnit("micron");
        assertTrue(IJ.saveAsTiff(imp, path.toString()), "cannot write " + path);
        return path;
    }

    // --- the virtual display and the mouse ----------------------------------------------------

    static Process startXvfb() throws Exception {
        Process x;
        try {
            x = new ProcessBuilder("Xvfb", "-displayfd", "1", "-screen", "0", "1920x1440x24", "-nolisten", "tcp")
                    .redirectError(out.resolve("xvfb.log").toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("This test needs Xvfb and xdotool (Debian: xvfb xdotool; "
                    + "scripts/setup-dev.sh installs them).", e);
        }
        BufferedReader r = new BufferedReader(new InputStreamReader(x.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> number = CompletableFuture.supplyAsync(() -> {
            try {
                return r.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String n = number.get(30, TimeUnit.SECONDS);
        if (n == null || !n.trim().matches("\\d+")) {
            x.destroyForcibly();
            fail("Xvfb did not start: " + new String(Files.readAllBytes(out.resolve("xvfb.log")), StandardCharsets.UTF_8));
        }
        display = ":" + n.trim();
        return x;
    }

    static void click(String image, int[] pixel, String modifier) throws Exception {
        int[] p = child.screen(image, pixel[0], pixel[1]);
        List<String> args = new ArrayList<>(Arrays.asList("mousemove", "--sync", str(p[0]), str(p[1])));
        if (modifier != null) args.addAll(Arrays.asList("keydown", modifier));
        args.addAll(Arrays.asList("click", "1"));
        if (modifier != null) args.addAll(Arrays.asList("keyup", modifier));
        xdotool(args.toArray(new String[0]));
    }

    static void xdotool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("xdotool");
        command.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("DISPLAY", display);
        Process p = pb.start();
        String output = read(p);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) fail("xdotool " + command + " failed: " + output);
    }

    static String read(Process p) throws IOException {
        StringBuilder s = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null;) s.append(line).append('\n');
        }
        return s.toString();
    }

    static String str(int v) {
        return Integer.toString(v);
    }

    // --- the ImageJ child VM ------------------------------------------------------------------

    /** What the harness said about the Annotator and the ROI Manager. */
    static final class State {
        final Map<String, String> values = new HashMap<>();

        State(String answer) {
            for (String word : answer.split(" ")) {
                int eq = word.indexOf('=');
                if (eq > 0) values.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }

        String get(String key) {
            return values.getOrDefault(key, "");
        }

        long num(String key) {
            return Long.parseLong(values.get(key));
        }

        List<String> names() {
            return get("names").isEmpty() ? new ArrayList<>() : Arrays.asList(get("names").split(","));
        }

        String prompt(int number) {
            return get("prompt." + number).replace('_', ' ');
        }

        @Override
        public String toString() {
            return values.toString();
        }
    }

    static final class Child {
        final Process process;
        final Writer in;
        final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
        /** How many failed prompts the test caused on purpose so far. */
        int allowedFailures;

        Child() throws Exception {
            String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            Path home = out.resolve("home"); // ImageJ's preferences stay here
            Files.createDirectories(home);
            List<String> command = new ArrayList<>(Arrays.asList(
                    Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classPath,
                    "-Djava.awt.headless=false", "-Duser.home=" + home,
                    "-Dsamroi.python=" + System.getProperty("samroi.python", "python3"),
                    "-Dsamroi.checkpoint=" + checkpoint(), AnnotatorHarness.class.getName()));
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(out.resolve("imagej-stderr.log").toFile());
            environment(pb.environment());
            pb.environment().put("DISPLAY", display);
            process = pb.start();
            in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null;) {
                        if (line.startsWith(AnnotatorHarness.ANSWER)) answers.add(line.substring(AnnotatorHarness.ANSWER.length()));
                    }
                } catch (IOException e) {
                    // the child is gone
                }
                answers.add("error the ImageJ VM ended (see imagej-stderr.log)");
            }, "harness-reader");
            reader.setDaemon(true);
            reader.start();
            String hello = answers.poll(60, TimeUnit.SECONDS);
            assertEquals("ok ready", hello, "ImageJ did not start");
        }

        /** Sends a command; returns the "ok ..." answer or fails the test. */
        String ask(String command) throws Exception {
            in.write(command + "\n");
            in.flush();
            String answer = answers.poll(TIMEOUT_S, TimeUnit.SECONDS);
            if (answer == null) fail("no answer from ImageJ to: " + command);
            if (!answer.startsWith("ok")) fail("ImageJ could not " + command + ": " + answer);
            return answer;
        }

        /** The screen point at the centre of pixel (x, y) of an image. */
        int[] screen(String image, int x, int y) throws Exception {
            String[] w = ask("where " + image + " " + x + " " + y).split(" ");
            return new int[] {Integer.parseInt(w[1]), Integer.parseInt(w[2])};
        }

        /** Polls the state until condition holds and no prompt is running, or fails after seconds. */
        State await(String image, long seconds, String what, Predicate<State> condition) throws Exception {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            State s;
            do {
                s = new State(ask("state " + image));
                if (s.num("failed") > allowedFailures || s.num("refused") > 0 || s.num("nothing") > 0) {
                    fail("The Annotator did not produce " + what + ": " + s);
                }
                if (condition.test(s) && "true".equals(s.get("idle"))) return s;
                Thread.sleep(50);
            } while (System.nanoTime() < end);
            fail("No " + what + " within " + seconds + " s; last state " + s);
            return s;
        }

        void save(String image, String step) throws Exception {
            ask("state " + image + " " + out.resolve(step + ".zip"));
        }

        void close() throws IOException, InterruptedException {
            try {
                in.write("quit\n");
                in.flush();
            } catch (IOException e) {
                // already gone
            }
            if (!process.waitFor(15, TimeUnit.SECONDS)) process.destroyForcibly();
        }
    }
}
