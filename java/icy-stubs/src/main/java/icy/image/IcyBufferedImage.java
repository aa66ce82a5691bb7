package icy.image;

import java.awt.image.BufferedImage;

import icy.type.DataType;

/**
 * Mirror of Icy 2.5's IcyBufferedImage (the members samroi uses; API.md section 7). The body
 * keeps one primitive array per channel, by reference, as Icy does.
 */
public class IcyBufferedImage extends BufferedImage {

    private final int width;
    private final int height;
    private final Object[] data;
    private final DataType dataType;

    public IcyBufferedImage(int width, int height, Object[] data, boolean signed) {
        super(1, 1, BufferedImage.TYPE_BYTE_GRAY);
        this.width = width;
        this.height = height;
        this.data = data.clone();
        this.dataType = typeOf(data[0], signed);
        for (Object channel : data) {
            if (typeOf(channel, signed) != dataType || java.lang.reflect.Array.getLength(channel) != width * height) {
                throw new IllegalArgumentException("every channel must be a width x height array of one type");
            }
        }
    }

    public IcyBufferedImage(int width, int height, Object data, boolean signed) {
        this(width, height, new Object[] { data }, signed);
    }

    @Override
    public int getWidth() {
        return width;
    }

    @Override
    public int getHeight() {
        return height;
    }

    public int getSizeC() {
        return data.length;
    }

    public DataType getDataType_() {
        return dataType;
    }

    public Object getDataXY(int c) {
        return data[c];
    }

    private static DataType typeOf(Object array, boolean signed) {
        if (array instanceof byte[]) return signed ? DataType.BYTE : DataType.UBYTE;
        if (array instanceof short[]) return signed ? DataType.SHORT : DataType.USHORT;
        if (array instanceof int[]) return signed ? DataType.INT : DataType.UINT;
        if (array instanceof long[]) return signed ? DataType.LONG : DataType.ULONG;
        if (array instanceof float[]) return DataType.FLOAT;
        if (array instanceof double[]) return DataType.DOUBLE;
        throw new IllegalArgumentException("not a primitive pixel array: " + array);
    }
}
