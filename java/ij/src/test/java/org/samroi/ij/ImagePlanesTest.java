package org.samroi.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.PolygonRoi;
import ij.gui.Roi;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import ij.process.ImageProcessor;
import java.awt.image.IndexColorModel;
import org.junit.jupiter.api.Test;
import org.samroi.core.BadImageException;
import org.samroi.core.ImagePixels;
import org.samroi.core.SamException;

/** Planes of real ImageJ images of every pixel type, stacks and hyperstacks. */
class ImagePlanesTest {

    static ImagePlus open(String name) {
        ImagePlus imp = IJ.openImage(IjTests.dev(name).toString());
        assertTrue(imp != null, "cannot open " + name);
        return imp;
    }

    @Test
    void everyPixelTypeKeepsItsValuesAndCalibrationPlaysNoPart() throws SamException {
        ImagePlus gray8 = open("dsb_fluo_d01.tif");
        ImagePlus gray16 = open("usiigaci_phase_d01.tif");
        ImagePlus rgb = open("dsb_he_d01.tif");
        assertEquals(ImagePlus.GRAY8, gray8.getType());
        assertEquals(ImagePlus.GRAY16, gray16.getType());
        assertEquals(ImagePlus.COLOR_RGB, rgb.getType());
        ImagePlus gray32 = new ImagePlus("32", gray16.getProcessor().convertToFloat());
        Calibration cal = new Calibration();
        cal.pixelWidth = 0.65;
        cal.setUnit("um");
        cal.setFunction(Calibration.STRAIGHT_LINE, new double[] {-100, 2}, "gray");
        gray16.setCalibration(cal);

        ImagePlus[] images = {gray8, gray16, gray32, rgb};
        ImagePixels.Type[] types = {ImagePixels.Type.GRAY8, ImagePixels.Type.GRAY16, ImagePixels.Type.GRAY32,
            ImagePixels.Type.RGB};
        for (int i = 0; i < images.length; i++) {
            ImagePlanes.Plane plane = ImagePlanes.current(images[i]);
            assertEquals(types[i], plane.pixels().type(), images[i].getTitle());
            assertSame(images[i].getProcessor().getPixels(), plane.pixels().pixels(), "no copy is made");
            assertEquals(images[i].getWidth(), plane.width());
            assertEquals(images[i].getHeight(), plane.height());
        }
    }

    @Test
    void indexedColourImagesGoAsTheColoursTheyShow() throws SamException {
        byte[] r = new byte[256], g = new byte[256], b = new byte[256];
        for (int i = 0; i < 256; i++) { // a colour table that is no ramp
            r[i] = (byte) (i * 37);
            g[i] = (byte) (i * 91);
            b[i] = (byte) (255 - i * 13);
        }
        ByteProcessor ip = (ByteProcessor) open("dsb_fluo_d01.tif").getProcessor();
        ip.setColorModel(new IndexColorModel(8, 256, r, g, b));
        ImagePlus imp = new ImagePlus("indexed", ip);
        imp.setTypeToColor256(); // as ImageJ's openers do for indexed-colour files
        assertEquals(ImagePlus.COLOR_256, imp.getType());
        ImagePlanes.Plane plane = ImagePlanes.current(imp);
        assertEquals(ImagePixels.Type.RGB, plane.pixels().type());
        int[] rgb = (int[]) plane.pixels().pixels();
        int index = ip.get(100, 100);
        int want = ((r[index] & 0xff) << 16) | ((g[index] & 0xff) << 8) | (b[index] & 0xff);
        assertEquals(want, rgb[100 * ip.getWidth() + 100] & 0xffffff);
    }

    /** Three 256x256 crops of the 16-bit phase image as a stack. */
    static ImagePlus stackOfCrops(int n) {
        ImageProcessor ip = open("usiigaci_phase_d01.tif").getProcessor();
        ImageStack stack = new ImageStack(256, 256);
        for (int i = 0; i < n; i++) {
            ip.setRoi(90 * i, 100 + 50 * i, 256, 256);
            stack.addSlice("crop" + i, ip.crop());
        }
        return new ImagePlus("crops", stack);
    }

    @Test
    void planesOfStacksAndHyperstacksCarryTheirPosition() throws SamException {
        ImagePlus stack = stackOfCrops(3);
        ImagePlanes.Plane second = ImagePlanes.at(stack, 1, 2, 1);
        assertSame(stack.getStack().getPixels(2), second.pixels().pixels());
        assertEquals(2, second.stackIndex());
        Roi roi = new PolygonRoi(new int[] {1, 5, 5}, new int[] {1, 1, 5}, 3, Roi.TRACED_ROI);
        second.applyPosition(roi);
        assertEquals(2, roi.getPosition());
        assertFalse(roi.hasHyperStackPosition());
        stack.setSlice(3);
        assertEquals(3, ImagePlanes.current(stack).stackIndex());

        ImagePlus hyper = stackOfCrops(4);
        hyper.setDimensions(2, 2, 1);
        hyper.setOpenAsHyperStack(true);
        hyper.setPosition(2, 1, 1);
        ImagePlanes.Plane current = ImagePlanes.current(hyper);
        assertEquals(2, current.channel());
        assertEquals(hyper.getStackIndex(2, 1, 1), current.stackIndex());
        assertSame(hyper.getStack().getPixels(current.stackIndex()), current.pixels().pixels());
        Roi r2 = (Roi) roi.clone();
        ImagePlanes.at(hyper, 1, 2, 1).applyPosition(r2);
        assertTrue(r2.hasHyperStackPosition());
        assertArrayEquals(new int[] {1, 2, 1}, new int[] {r2.getCPosition(), r2.getZPosition(), r2.getTPosition()});
        assertEquals("'crops' (channel 1, slice 2)", ImagePlanes.at(hyper, 1, 2, 1).describe());

        PlaneException e = assertThrows(PlaneException.class, () -> ImagePlanes.at(hyper, 1, 3, 1));
        assertTrue(e.getMessage().contains("no slice 3") && e.getMessage().contains("1 to 2"), e.getMessage());
        assertThrows(BadImageException.class, () -> ImagePlanes.current(null));
    }

    @Test
    void fiveDimensionalHyperstacksNeedAPlaneInMacros() throws SamException {
        ImagePlus five = stackOfCrops(8);
        five.setDimensions(2, 2, 2);
        five.setOpenAsHyperStack(true);
        assertTrue(ImagePlanes.isFiveD(five));
        PlaneException e = assertThrows(PlaneException.class,
                () -> CommonOptions.read(MacroOptions.parse(""), PluginSettings.load()).plane(five, true));
        assertTrue(e.getMessage().contains("5D hyperstack") && e.getMessage().contains("channel=C slice=Z frame=T"),
                e.getMessage());
        ImagePlanes.Plane chosen = CommonOptions.read(MacroOptions.parse("frame=2 slice=1"), PluginSettings.load())
                .plane(five, true);
        assertEquals(five.getStackIndex(1, 1, 2), chosen.stackIndex());
        // Interactively (and in scripts) the current plane is what the user sees.
        assertEquals(five.getCurrentSlice(),
                CommonOptions.read(MacroOptions.parse(""), PluginSettings.load()).plane(five, false).stackIndex());
        assertFalse(ImagePlanes.isFiveD(stackOfCrops(2)));
    }

    @Test
    void theKeyTellsWhetherAPlaneMustBeSentAgain() throws SamException {
        ImagePlus stack = stackOfCrops(2);
        ImagePlanes.Key first = ImagePlanes.at(stack, 1, 1, 1).key();
        assertEquals(first, ImagePlanes.at(stack, 1, 1, 1).key(), "same plane, same pixels");
        assertNotEquals(first, ImagePlanes.at(stack, 1, 2, 1).key(), "another plane");
        ImagePlus copy = stack.duplicate();
        assertNotEquals(first, ImagePlanes.at(copy, 1, 1, 1).key(), "another image");
        stack.getStack().getProcessor(1).invert();
        assertNotEquals(first, ImagePlanes.at(stack, 1, 1, 1).key(), "pixels changed in place");

        ImagePlus mosaic = open("mosaic_dsb_fluo_4160x4176.tif"); // sampled, not every pixel
        ImagePlanes.Key big = ImagePlanes.current(mosaic).key();
        mosaic.getProcessor().add(7);
        assertNotEquals(big, ImagePlanes.current(mosaic).key(), "a filter on a large image");
    }
}
