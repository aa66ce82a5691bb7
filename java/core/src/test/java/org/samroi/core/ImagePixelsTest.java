package org.samroi.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Set;
import java.util.zip.CRC32;

import org.apposed.appose.NDArray;
import org.junit.jupiter.api.Test;

class ImagePixelsTest {

    @Test
    void refusesBadImagesWithTypedReasons() {
        assertEquals(BadImageException.Reason.EMPTY,
                assertThrows(BadImageException.class, () -> ImagePixels.of(new byte[0], 0, 0)).reason());
        assertEquals(BadImageException.Reason.EMPTY,
                assertThrows(BadImageException.class, () -> ImagePixels.gray8(new byte[4], 4, 0)).reason());
        assertEquals(BadImageException.Reason.UNSUPPORTED_TYPE,
                assertThrows(BadImageException.class, () -> ImagePixels.of(new double[4], 2, 2)).reason());
        assertEquals(BadImageException.Reason.UNSUPPORTED_TYPE,
                assertThrows(BadImageException.class, () -> ImagePixels.of(null, 2, 2)).reason());
        BadImageException e = assertThrows(BadImageException.class, () -> ImagePixels.gray16(new short[5], 2, 2));
        assertEquals(BadImageException.Reason.SIZE_MISMATCH, e.reason());
        assertEquals("The pixel array holds 5 pixels but the image is 2 x 2 = 4.", e.problem());
        BadImageException t = assertThrows(BadImageException.class, () -> ImagePixels.of(new long[4], 2, 2));
        assertEquals("Convert the image to 8-bit, 16-bit, 32-bit or RGB (Image > Type) and try again.", t.nextStep());
    }

    @Test
    void expectedStatsOfEachType() throws Exception {
        ImageStats g8 = ImagePixels.gray8(new byte[] { 0, (byte) 255, 7, 9, 1, 2 }, 3, 2).expectedStats();
        assertArrayEquals(new int[] { 2, 3 }, g8.shape());
        assertEquals("uint8", g8.dtype());
        assertEquals(0.0, g8.min());
        assertEquals(255.0, g8.max());
        CRC32 crc = new CRC32();
        crc.update(new byte[] { 0, (byte) 255, 7, 9, 1, 2 });
        assertEquals(crc.getValue(), g8.crc32());

        ImageStats g16 = ImagePixels.gray16(new short[] { (short) 65535, 3 }, 2, 1).expectedStats();
        assertEquals(3.0, g16.min());
        assertEquals(65535.0, g16.max());
        assertEquals(4, g16.byteCount());

        ImageStats f = ImagePixels.gray32(new float[] { Float.NaN, -1.5f, 2.25f, Float.NaN }, 2, 2).expectedStats();
        assertEquals(-1.5, f.min());
        assertEquals(2.25, f.max());
        ImageStats nan = ImagePixels.gray32(new float[] { Float.NaN }, 1, 1).expectedStats();
        assertNull(nan.min());

        ImageStats rgb = ImagePixels.rgb(new int[] { 0xff102030, 0x00fffe05 }, 2, 1).expectedStats();
        assertArrayEquals(new int[] { 1, 2, 3 }, rgb.shape());
        assertEquals(5.0, rgb.min());
        assertEquals(255.0, rgb.max());
        crc = new CRC32();
        crc.update(new byte[] { 0x10, 0x20, 0x30, (byte) 0xff, (byte) 0xfe, 0x05 });
        assertEquals(crc.getValue(), rgb.crc32());
    }

    @Test
    void copiesIntoSharedMemoryInNativeOrderAndFreesIt() throws Exception {
        Set<String> before = TestSupport.shmSegments();
        short[] px = new short[300 * 200];
        for (int i = 0; i < px.length; i++) px[i] = (short) (i * 7);
        ImagePixels image = ImagePixels.gray16(px, 300, 200);
        NDArray nd = image.toNDArray();
        try {
            assertArrayEquals(new int[] { 200, 300 }, nd.shape().toIntArray(NDArray.Shape.Order.C_ORDER));
            assertEquals("uint16", nd.dType().label());
            ByteBuffer b = nd.buffer().order(ByteOrder.nativeOrder());
            for (int i = 0; i < px.length; i += 997) assertEquals(px[i], b.getShort(2 * i));
            if (TestSupport.isLinux()) assertEquals(1, TestSupport.shmSegments().size() - before.size());
        } finally {
            nd.close();
        }
        assertEquals(before, TestSupport.shmSegments());

        ImagePixels rgb = ImagePixels.rgb(new int[] { 0x123456, 0xabcdef }, 1, 2);
        NDArray nr = rgb.toNDArray();
        try {
            ByteBuffer b = nr.buffer();
            byte[] got = new byte[6];
            b.get(got);
            assertArrayEquals(new byte[] { 0x12, 0x34, 0x56, (byte) 0xab, (byte) 0xcd, (byte) 0xef }, got);
        } finally {
            nr.close();
        }
        assertEquals(before, TestSupport.shmSegments());
    }
}
