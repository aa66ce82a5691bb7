package org.samroi.icy.logic;

import org.samroi.core.BadImageException;
import org.samroi.core.ImagePixels;

/**
 * Icy's data types as samroi's pixel types. Icy keeps unsigned types in the signed Java array
 * of the same width (UBYTE in byte[], UINT in int[]), as samroi does, so every type maps
 * without conversion; the worker normalises all of them in float64.
 */
public final class PixelTypes {

    private PixelTypes() {
    }

    /**
     * The samroi type of an Icy DataType, given by its name (DataType.name(): UBYTE, BYTE,
     * USHORT, SHORT, UINT, INT, ULONG, LONG, FLOAT, DOUBLE).
     *
     * @throws BadImageException for UNDEFINED or a name Icy 2.5 does not have
     */
    public static ImagePixels.Type of(String dataType) throws BadImageException {
        switch (dataType == null ? "" : dataType) {
            case "UBYTE":
                return ImagePixels.Type.GRAY8;
            case "BYTE":
                return ImagePixels.Type.INT8;
            case "USHORT":
                return ImagePixels.Type.GRAY16;
            case "SHORT":
                return ImagePixels.Type.INT16;
            case "UINT":
                return ImagePixels.Type.UINT32;
            case "INT":
                return ImagePixels.Type.INT32;
            case "ULONG":
                return ImagePixels.Type.UINT64;
            case "LONG":
                return ImagePixels.Type.INT64;
            case "FLOAT":
                return ImagePixels.Type.GRAY32;
            case "DOUBLE":
                return ImagePixels.Type.FLOAT64;
            default:
                throw new BadImageException(BadImageException.Reason.UNSUPPORTED_TYPE,
                        "samroi cannot read this sequence: its data type is " + dataType + ".",
                        "Convert the sequence to a defined data type (Sequence > Conversion) and try again.");
        }
    }
}
