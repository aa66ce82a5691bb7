package org.samroi.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.PointRoi;
import ij.gui.Roi;
import ij.io.RoiEncoder;
import java.awt.GraphicsEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.samroi.core.ProgressEvent;
import org.samroi.core.PromptException;
import org.samroi.core.PromptText;
import org.samroi.core.SamException;
import org.samroi.core.UnknownModelException;

/**
 * The scripting entry points of {@link SamRoi} with -Djava.awt.headless=true (as Groovy or
 * Jython scripts in headless Fiji call them): real ImageJ images, the real worker (the Python
 * of samroi.python, the fixture checkpoint through samroi.checkpoint), and every ROI compared
 * pixel for pixel with what {@code samroi segment} gives for the same prompt. One worker serves
 * all tests.
 */
@Timeout(900)
class SamRoiScriptingTest {

    @TempDir
    static Path tmp;
    static final List<ProgressEvent> events = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void headless() throws SamException {
        assertTrue(GraphicsEnvironment.isHeadless(), "run with -Djava.awt.headless=true");
        assertTrue(Files.isRegularFile(IjTests.checkpoint()), "fixture checkpoint missing: " + IjTests.checkpoint());
        SamRoi.session().addListener(events::add);
    }

    @AfterAll
    static void stop() {
        SamRoi.restart();
    }

    static ImagePlus open(String name) {
        return ImagePlanesTest.open(name);
    }

    static long imagesSent() {
        synchronized (events) {
            return events.stream().filter(e -> e.source().equals("set_image") && e.message() != null
                    && e.message().startsWith("Copying")).count();
        }
    }

    @Test
    void clicksAndBoxesOn16BitPhaseContrastFillWhatTheCommandLineGives() throws Exception {
        ImagePlus imp = open("usiigaci_phase_d01.tif");
        long sentBefore = imagesSent();
        Roi[] clicked = SamRoi.segment(imp, "300,400;310,405", "280,380", null, "");
        Roi[] boxed = SamRoi.segment(imp, null, "500,500,60,50");
        assertEquals(sentBefore + 1, imagesSent(), "the same plane is sent once, then reused");
        assertEquals(1, clicked.length);
        assertEquals(1, boxed.length);
        assertEquals("001-efficientsam-ti", clicked[0].getName());
        assertEquals(0, clicked[0].getPosition(), "no stack position on a single image");

        Path image = IjTests.dev("usiigaci_phase_d01.tif");
        List<Roi> cliClicked = IjTests.cliSegment(tmp, image, "--point", "300,400", "--point", "310,405", "--point",
                "280,380,0");
        List<Roi> cliBoxed = IjTests.cliSegment(tmp, image, "--box", "500,500,559,549");
        IjTests.assertSamePixels(cliClicked.get(0), clicked[0], imp.getWidth(), imp.getHeight(), "clicks");
        IjTests.assertSamePixels(cliBoxed.get(0), boxed[0], imp.getWidth(), imp.getHeight(), "box");
    }

    @Test
    void eachPointOfAMultiPointSelectionOnRgbHistologyIsOneObject() throws Exception {
        ImagePlus imp = open("dsb_he_d01.tif");
        PointRoi points = new PointRoi(new float[] {60, 160, 250}, new float[] {50, 128, 200}, 3);
        Roi[] rois = SamRoi.segmentEach(imp, points, "");
        Path roiFile = tmp.resolve("points.roi");
        new RoiEncoder(roiFile.toString()).write(points);
        List<Roi> cli = IjTests.cliSegment(tmp, IjTests.dev("dsb_he_d01.tif"), "--prompts", roiFile.toString());
        assertEquals(cli.size(), rois.length, "one object per point, as the command line makes them");
        assertEquals(3, rois.length);
        for (int i = 0; i < rois.length; i++) {
            assertEquals(cli.get(i).getName(), rois[i].getName());
            IjTests.assertSamePixels(cli.get(i), rois[i], imp.getWidth(), imp.getHeight(), "point " + (i + 1));
        }
    }

    @Test
    void theChosenPlaneOfAStackIsSegmentedAndTheRoisCarryItsPosition() throws Exception {
        ImagePlus stack = ImagePlanesTest.stackOfCrops(4);
        Path file = tmp.resolve("crops.tif");
        assertTrue(IJ.saveAsTiff(stack, file.toString()));
        Roi[] onSecond = SamRoi.segment(stack, "120,130", null, null, "slice=2");
        assertEquals(2, onSecond[0].getPosition());
        List<Roi> cli = IjTests.cliSegment(tmp, file, "--plane", "1", "--point", "120,130");
        IjTests.assertSamePixels(cli.get(0), onSecond[0], 256, 256, "slice 2");

        stack.setDimensions(2, 2, 1);
        stack.setOpenAsHyperStack(true);
        Roi[] hyper = SamRoi.segment(stack, "120,130", null, null, "channel=2 slice=2");
        assertArrayEquals(new int[] {2, 2, 1},
                new int[] {hyper[0].getCPosition(), hyper[0].getZPosition(), hyper[0].getTPosition()});
        List<Roi> cli4 = IjTests.cliSegment(tmp, file, "--plane", "3", "--point", "120,130");
        IjTests.assertSamePixels(cli4.get(0), hyper[0], 256, 256, "channel 2, slice 2 = plane 4");
    }

    @Test
    void badInputIsRefusedNamingTheProblem() throws Exception {
        ImagePlus imp = open("dsb_fluo_d01.tif");
        UnknownModelException model = assertThrows(UnknownModelException.class,
                () -> SamRoi.segment(imp, "10,10", null, null, "model=sam-huge"));
        assertTrue(model.getMessage().contains("'sam-huge'"), model.getMessage());
        PromptText.SyntaxException points = assertThrows(PromptText.SyntaxException.class,
                () -> SamRoi.segment(imp, "10,10;20", null));
        assertTrue(points.getMessage().contains("'20'"), points.getMessage());
        PromptException outside = assertThrows(PromptException.class, () -> SamRoi.segment(imp, null, "200,200,80,80"));
        assertTrue(outside.getMessage().contains("outside the image") && outside.getMessage().contains("256 x 256"),
                outside.getMessage());
        SamException checkpoint = assertThrows(SamException.class,
                () -> SamRoi.segment(imp, "10,10", null, null, "checkpoint=[/nowhere/x.pt]"));
        assertTrue(checkpoint.getMessage().contains("/nowhere/x.pt"), checkpoint.getMessage());
        SamException option = assertThrows(SamException.class, () -> SamRoi.segment(imp, "10,10", null, null, "simplfy=2"));
        assertTrue(option.getMessage().contains("'simplfy'"), option.getMessage());
    }

    @Test
    void resultsBecomeALabelImageAndARoiSet() throws Exception {
        ImagePlus imp = open("dsb_fluo_d01.tif");
        Roi[] rois = SamRoi.segmentEach(imp, new PointRoi(new float[] {190, 115}, new float[] {170, 140}, 2),
                "all_parts");
        assertEquals(2, rois.length);
        ImagePlus labels = SamRoi.labelImage(imp, rois);
        assertEquals(16, labels.getBitDepth());
        boolean[] first = IjTests.fill(rois[0], 256, 256);
        boolean[] second = IjTests.fill(rois[1], 256, 256);
        for (int i = 0; i < first.length; i++) {
            int want = second[i] ? 2 : first[i] ? 1 : 0; // later ROIs over earlier ones
            assertEquals(want, labels.getProcessor().get(i % 256, i / 256), "label at pixel " + i);
        }
        Path zip = tmp.resolve("set.zip");
        SamRoi.saveRoiSet(rois, zip.toString());
        List<Roi> back = IjTests.openRoiSet(zip);
        assertEquals(2, back.size());
        for (int i = 0; i < 2; i++) {
            assertEquals(rois[i].getName(), back.get(i).getName());
            IjTests.assertSamePixels(rois[i], back.get(i), 256, 256, "saved ROI " + (i + 1));
        }
        try (java.util.stream.Stream<Path> files = Files.list(tmp)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary file is left");
        }
    }
}
