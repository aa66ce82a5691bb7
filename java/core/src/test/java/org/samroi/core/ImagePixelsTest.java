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

    @Test
    void everyTypeChecksItsArrayAndReportsItsStatsInItsOwnSignedness() throws Exception {
        assertEquals(BadImageException.Reason.UNSUPPORTED_TYPE, assertThrows(BadImageException.class,
                () -> ImagePixels.of(ImagePixels.Type.INT16, new byte[4], 2, 2)).reason());
        assertEquals("The pixels of channel 1 are a int[], not the short[] that holds int16 pixels.",
                assertThrows(BadImageException.class, () -> ImagePixels.channels(ImagePixels.Type.INT16,
                        new Object[] { new short[4], new int[4] }, 2, 2)).problem());
        assertEquals("The pixel array of channel 0 holds 3 pixels but the image is 2 x 2 = 4.",
                assertThrows(BadImageException.class, () -> ImagePixels.channels(ImagePixels.Type.FLOAT64,
                        new Object[] { new double[3], new double[4] }, 2, 2)).problem());
        assertEquals(BadImageException.Reason.EMPTY, assertThrows(BadImageException.class,
                () -> ImagePixels.channels(ImagePixels.Type.GRAY8, new Object[0], 2, 2)).reason());
        assertThrows(IllegalArgumentException.class,
                () -> ImagePixels.channels(ImagePixels.Type.RGB, new Object[] { new int[1], new int[1] }, 1, 1));

        ImageStats i8 = ImagePixels.of(ImagePixels.Type.INT8, new byte[] { -128, 127, -1 }, 3, 1).expectedStats();
        assertEquals("int8", i8.dtype());
        assertEquals(-128.0, i8.min());
        assertEquals(127.0, i8.max());
        ImageStats i16 = ImagePixels.of(ImagePixels.Type.INT16, new short[] { Short.MIN_VALUE, 5 }, 2, 1).expectedStats();
        assertEquals(-32768.0, i16.min());
        ImageStats u32 = ImagePixels.of(ImagePixels.Type.UINT32, new int[] { -1, 7 }, 2, 1).expectedStats();
        assertEquals(7.0, u32.min());
        assertEquals(4294967295.0, u32.max());
        ImageStats i32 = ImagePixels.of(ImagePixels.Type.INT32, new int[] { -1, 7 }, 2, 1).expectedStats();
        assertEquals(-1.0, i32.min());
        ImageStats u64 = ImagePixels.of(ImagePixels.Type.UINT64, new long[] { -1L, 3L, Long.MIN_VALUE }, 3, 1)
                .expectedStats();
        assertEquals(3.0, u64.min());
        assertEquals(18446744073709551615.0, u64.max());
        assertEquals(8 * 3, u64.byteCount());
        ImageStats i64 = ImagePixels.of(ImagePixels.Type.INT64, new long[] { -1L, 3L, Long.MIN_VALUE }, 3, 1)
                .expectedStats();
        assertEquals((double) Long.MIN_VALUE, i64.min());
        ImageStats f64 = ImagePixels.of(ImagePixels.Type.FLOAT64, new double[] { Double.NaN, -2.5, 1e300 }, 3, 1)
                .expectedStats();
        assertEquals(-2.5, f64.min());
        assertEquals(1e300, f64.max());
        assertEquals(9007199254740993.0, ImagePixels.unsignedToDouble(9007199254740993L)); // exact below 2^63
        assertEquals(9.223372036854775808E18, ImagePixels.unsignedToDouble(Long.MIN_VALUE));
    }

    @Test
    void planarChannelsAreInterleavedOnTheWayIntoSharedMemory() throws Exception {
        Set<String> before = TestSupport.shmSegments();
        int w = 5;
        int h = 3;
        short[][] planes = new short[4][w * h];
        for (int c = 0; c < 4; c++) {
            for (int i = 0; i < w * h; i++) planes[c][i] = (short) (1000 * c + i - 3);
        }
        ImagePixels image = ImagePixels.channels(ImagePixels.Type.INT16, planes, w, h);
        assertEquals(4, image.channels());
        assertArrayEquals(new int[] { h, w, 4 }, image.shape());
        assertEquals(2L * w * h * 4, image.byteCount());
        assertThrows(IllegalStateException.class, image::pixels);
        assertEquals(planes[2], image.planes()[2], "the planes are wrapped, not copied");
        NDArray nd = image.toNDArray();
        ByteBuffer expected = ByteBuffer.allocate((int) image.byteCount()).order(ByteOrder.nativeOrder());
        try {
            assertEquals("int16", nd.dType().label());
            assertArrayEquals(new int[] { h, w, 4 }, nd.shape().toIntArray(NDArray.Shape.Order.C_ORDER));
            ByteBuffer b = nd.buffer().order(ByteOrder.nativeOrder());
            for (int i = 0; i < w * h; i++) {
                for (int c = 0; c < 4; c++) {
                    assertEquals(planes[c][i], b.getShort(2 * (4 * i + c)), "pixel " + i + " channel " + c);
                    expected.putShort(planes[c][i]);
                }
            }
        } finally {
            nd.close();
        }
        assertEquals(before, TestSupport.shmSegments());
        CRC32 crc = new CRC32();
        crc.update(expected.array());
        ImageStats stats = image.expectedStats();
        assertEquals(crc.getValue(), stats.crc32());
        assertEquals(-3.0, stats.min());
        assertEquals(3011.0, stats.max());

        ImagePixels one = ImagePixels.channels(ImagePixels.Type.FLOAT64, new Object[] { new double[] { 1, 2 } }, 2, 1);
        assertArrayEquals(new int[] { 1, 2 }, one.shape(), "one channel is a 2-D image");
    }
}
