package icy.type;

/** Mirror of Icy 2.5's DataType (constants in their declared order; API.md section 7). */
public enum DataType {
    UBYTE, BYTE, USHORT, SHORT, UINT, INT, ULONG, LONG, FLOAT, DOUBLE, UNDEFINED
}
