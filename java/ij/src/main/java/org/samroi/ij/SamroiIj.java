package org.samroi.ij;

/** Placeholder: the ImageJ 1.x / Fiji adapter (menu commands, annotator, ROI Manager, macros) goes here. */
public final class SamroiIj {
    private SamroiIj() {
    }
}
