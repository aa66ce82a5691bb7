package org.samroi.icy.logic;

import org.samroi.core.SamException;

/** One 2-D plane of a sequence: slice z and frame t (0-based, as Icy counts). */
public final class Plane {

    private final int z;
    private final int t;

    private Plane(int z, int t) {
        this.z = z;
        this.t = t;
    }

    public static Plane of(int z, int t) {
        if (z < 0 || t < 0) throw new IllegalArgumentException("z and t start at 0, got z=" + z + ", t=" + t);
        return new Plane(z, t);
    }

    /**
     * The plane a prompt ROI belongs to: its own z and t, where set (Icy's -1 means "on every
     * slice/frame"), else those of fallback (the viewer's plane, or the batch's z= and t=).
     *
     * @throws SamException if that plane is not in a sizeZ x sizeT sequence
     */
    public static Plane resolve(int roiZ, int roiT, Plane fallback, int sizeZ, int sizeT) throws SamException {
        Plane p = new Plane(roiZ < 0 ? fallback.z : roiZ, roiT < 0 ? fallback.t : roiT);
        p.checkIn(sizeZ, sizeT);
        return p;
    }

    /** @throws SamException if this plane is not in a sizeZ x sizeT sequence */
    public void checkIn(int sizeZ, int sizeT) throws SamException {
        if (z >= sizeZ || t >= sizeT) {
            throw new SamException("The prompt is on " + this + " but the sequence has " + sizeZ + " slice"
                    + (sizeZ == 1 ? "" : "s") + " and " + sizeT + " frame" + (sizeT == 1 ? "" : "s") + ".",
                    "Put the prompt on a plane of the sequence (slices and frames count from 0).");
        }
    }

    public int z() {
        return z;
    }

    public int t() {
        return t;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Plane && ((Plane) o).z == z && ((Plane) o).t == t;
    }

    @Override
    public int hashCode() {
        return 31 * z + t;
    }

    @Override
    public String toString() {
        return "z=" + z + ", t=" + t;
    }
}
