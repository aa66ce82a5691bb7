package plugins.adufour.vars.lang;

import icy.roi.ROI;

/** Mirror of the Vars library's VarROIArray; its value is a ROI[]. */
public class VarROIArray extends VarArray<ROI> {

    public VarROIArray(String name) {
        super(name, ROI[].class, new ROI[0]);
    }
}
