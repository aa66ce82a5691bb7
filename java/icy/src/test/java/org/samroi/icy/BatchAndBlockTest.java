package org.samroi.icy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.samroi.core.TinyTiff;
import org.samroi.icy.logic.SamModel;

import icy.main.Icy;
import icy.roi.ROI;
import icy.roi.ROI2D;
import icy.sequence.Sequence;
import plugins.adufour.blocks.util.VarList;
import plugins.adufour.blocks.util.VarLists;
import plugins.adufour.vars.util.VarException;
import plugins.kernel.roi.roi2d.ROI2DPoint;
import plugins.kernel.roi.roi2d.ROI2DPolygon;
import plugins.kernel.roi.roi2d.ROI2DRectangle;
import plugins.samroi.SamroiBlock;

/**
 * The headless command (plugins.samroi.SamroiBatch's body) and the Protocols block against the
 * real worker, through the Icy mirror (its Loader reads plain TIFFs with ImageIO where Icy
 * would use Bio-Formats): their label images and ROIs must be the library's for the same prompts.
 */
@Timeout(600)
class BatchAndBlockTest {

    @BeforeAll
    static void fixtures() {
        assumeTrue(Files.isRegularFile(IcyFixtures.checkpoint()), "fixture checkpoint missing");
        assumeTrue(Files.isRegularFile(IcyFixtures.dev(IcyFixtures.GRAY)), "dev images missing");
    }

    @Test
    void batchWithACsvWritesTheLibrarysLabelImageAndTheRois(@TempDir Path tmp) throws Exception {
        Path image = Files.copy(IcyFixtures.dev(IcyFixtures.GRAY), tmp.resolve("cells.tif"));
        Path csv = IcyFixtures.csv(tmp, IcyFixtures.PROMPTS);
        short[] expected = IcyFixtures.libraryLabels(image, csv, tmp, "--normalize", "range:0,255", "--no-holes");
        Output o = new Output();
        assertTrue(o.run("image=" + image, "prompts=" + csv, "checkpoint=" + IcyFixtures.checkpoint(),
                "normalize=range:0,255"), o.err());
        short[] labels = (short[]) TinyTiff.read(tmp.resolve("cells_samroi_labels.tif")).pixels();
        assertArrayEquals(expected, labels, "the label image of the command line, pixel for pixel");
        Path rois = tmp.resolve("cells_samroi_rois.xml");
        assertTrue(new String(Files.readAllBytes(rois), StandardCharsets.UTF_8).contains("<root"), "an XML document");
        assertTrue(o.out().contains("samroi: 4 ROIs -> " + rois), o.out());
        assertEquals("", o.err());
    }

    /** Without prompts=, the point and rectangle ROIs of the image given to Icy before -x are the prompts. */
    @Test
    void batchOnTheActiveSequenceUsesItsRois(@TempDir Path tmp) throws Exception {
        Sequence s = IcyFixtures.gray(IcyFixtures.GRAY);
        s.addROI(new ROI2DPoint(150.5, 100.5)); // pixel (150, 100)
        s.addROI(new ROI2DRectangle(40, 60, 91, 121)); // pixels 40..90 x 60..120
        Icy.getMainInterface().addSequence(s);
        Path csv = IcyFixtures.csv(tmp, Arrays.asList("x,y,x0,y0,x1,y1", "150,100,,,,", ",,40,60,90,120"));
        short[] expected = IcyFixtures.libraryLabels(IcyFixtures.dev(IcyFixtures.GRAY), csv, tmp, "--normalize",
                "range:0,255", "--no-holes");
        Output o = new Output();
        Path labels = tmp.resolve("out/labels.tif");
        assertTrue(o.run("labels=" + labels, "rois=" + tmp.resolve("out/rois.xml"), "checkpoint=" + IcyFixtures.checkpoint(),
                "normalize=range:0,255"), o.err());
        assertArrayEquals(expected, (short[]) TinyTiff.read(labels).pixels());
        assertEquals(2, s.getROIs().size(), "headless: the prompt ROIs stay, the outlines go to the files");
    }

    /** points= and rectangle= are the command line's --point flags (one object) and --box. */
    @Test
    void batchWithPromptsOnTheCommandLine(@TempDir Path tmp) throws Exception {
        Path image = Files.copy(IcyFixtures.dev(IcyFixtures.GRAY), tmp.resolve("cells.tif"));
        Path empty = IcyFixtures.csv(tmp, Arrays.asList("x,y", "60,200"));
        short[] expected = IcyFixtures.libraryLabels(image, empty, tmp, "--normalize", "range:0,255", "--no-holes",
                "--point", "150,100", "--point", "160,110,0", "--box", "40,60,90,120");
        Output o = new Output();
        assertTrue(o.run("image=" + image, "points=150,100", "background=160,110", "rectangle=40,60,51,61",
                "prompts=" + empty, "checkpoint=" + IcyFixtures.checkpoint(), "normalize=range:0,255"), o.err());
        assertArrayEquals(expected, (short[]) TinyTiff.read(tmp.resolve("cells_samroi_labels.tif")).pixels(),
                "points, then the rectangle, then the file's prompts, numbered as the command line does");
    }

    @Test
    void batchErrorsSayWhatToDoAndWriteNothing(@TempDir Path tmp) throws Exception {
        Output help = new Output();
        assertTrue(help.run("help"));
        assertTrue(help.out().contains("icy -hl -x plugins.samroi.SamroiBatch image=IMAGE"), help.out());

        Output missing = new Output();
        assertFalse(missing.run("image=" + tmp.resolve("nothing.tif")));
        assertEquals("samroi: error: samroi batch: image=" + tmp.resolve("nothing.tif") + ": no such file.\n"
                + "samroi: Run with help to see the keys and their values.\n", missing.err());

        Path image = Files.copy(IcyFixtures.dev(IcyFixtures.GRAY), tmp.resolve("cells.tif"));
        Path csv = IcyFixtures.csv(tmp, Arrays.asList("x,y", "150,100", "300,12"));
        Output outside = new Output();
        assertFalse(outside.run("image=" + image, "prompts=" + csv, "checkpoint=" + IcyFixtures.checkpoint()));
        assertTrue(outside.err().contains("The point (300, 12) of prompt 2 is outside the image"), outside.err());
        Path unreadable = Files.write(tmp.resolve("notes.tif"), "not an image".getBytes(StandardCharsets.UTF_8));
        Output bad = new Output();
        assertFalse(bad.run("image=" + unreadable, "prompts=" + csv));
        assertTrue(bad.err().startsWith("samroi: error: Icy could not open"), bad.err());
        try (java.util.stream.Stream<Path> files = Files.list(tmp)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().contains("_samroi_")), "no output after a failure");
        }
    }

    @Test
    void theBlockDeclaresStableIdsAndSegmentsThePromptRois(@TempDir Path tmp) throws Exception {
        SamroiBlock block = new SamroiBlock();
        VarList in = VarLists.create();
        VarList out = VarLists.create();
        block.declareInput(in);
        block.declareOutput(out);
        assertEquals(Arrays.asList("sequence", "prompts", "model", "checkpoint", "channels", "normalize"),
                Arrays.asList(VarLists.declared(in).keySet().toArray()));
        assertEquals(Arrays.asList("objects"), Arrays.asList(VarLists.declared(out).keySet().toArray()));
        assertEquals("plugins.samroi.SamroiAnnotator", block.getMainPluginClassName());

        Map<String, boolean[]> library = IcyFixtures.library(IcyFixtures.GRAY, IcyFixtures.csv(tmp, IcyFixtures.PROMPTS), tmp,
                "--normalize", "range:0,255", "--no-holes");
        Sequence s = IcyFixtures.gray(IcyFixtures.GRAY);
        ROI2DPoint a = new ROI2DPoint(150.5, 100.5);
        ROI2DRectangle c = new ROI2DRectangle(40, 60, 91, 121);
        s.addROI(a);
        s.addROI(c);
        set(in, "sequence", s);
        set(in, "model", SamModel.EFFICIENTSAM_TI);
        set(in, "checkpoint", IcyFixtures.checkpoint().toString());
        set(in, "normalize", "range:0,255");
        block.run();
        ROI[] objects = (ROI[]) VarLists.declared(out).get("objects").getValue();
        assertEquals(2, objects.length, "no prompts given: the sequence's point and rectangle");
        assertEquals("001-efficientsam-ti", objects[0].getName());
        assertInstanceOf(ROI2DPolygon.class, objects[0]);
        assertEquals(0, ((ROI2D) objects[1]).getZ());
        assertEquals(0, IcyFixtures.differing(library.get("001-efficientsam-ti"), IcyFixtures.mask(objects[0], 256, 256)));
        assertEquals(0, IcyFixtures.differing(library.get("003-efficientsam-ti"), IcyFixtures.mask(objects[1], 256, 256)));
        List<ROI> onSequence = s.getROIs();
        assertEquals(2, onSequence.size(), "the block returns its ROIs; it does not add them");

        set(in, "prompts", new ROI[] { c });
        block.run();
        ROI[] one = (ROI[]) VarLists.declared(out).get("objects").getValue();
        assertEquals(1, one.length, "only the connected prompt ROIs");
        assertEquals(0, IcyFixtures.differing(library.get("003-efficientsam-ti"), IcyFixtures.mask(one[0], 256, 256)));

        set(in, "sequence", null);
        VarException none = assertThrows(VarException.class, block::run);
        assertEquals("samroi: no sequence was given to segment.", none.getMessage());
        set(in, "sequence", s);
        set(in, "channels", "4");
        VarException channel = assertThrows(VarException.class, block::run);
        assertTrue(channel.getMessage().contains("Channel 4 does not exist"), channel.getMessage());
        assertSame(s, VarLists.declared(in).get("sequence").getValue());
    }

    @SuppressWarnings("unchecked")
    private static <T> void set(VarList list, String id, T value) {
        ((plugins.adufour.vars.lang.Var<T>) VarLists.declared(list).get(id)).setValue(value);
    }

    /** A BatchRun whose console is kept. */
    private static final class Output {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();

        boolean run(String... args) throws Exception {
            return new BatchRun(new PrintStream(out, true, "UTF-8"), new PrintStream(err, true, "UTF-8")).run(args);
        }

        String out() {
            return new String(out.toByteArray(), StandardCharsets.UTF_8);
        }

        String err() {
            return new String(err.toByteArray(), StandardCharsets.UTF_8);
        }
    }
}
