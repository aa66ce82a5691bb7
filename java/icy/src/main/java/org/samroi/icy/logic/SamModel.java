package org.samroi.icy.logic;

import java.util.Locale;

/** The models samroi runs, as the Icy plugin offers them (the Protocols block's model input). */
public enum SamModel {
    EFFICIENTSAM_TI("efficientsam-ti", "EfficientSAM-Ti"),
    EFFICIENTSAM_S("efficientsam-s", "EfficientSAM-S"),
    MOBILESAM("mobilesam", "MobileSAM");

    private final String id;
    private final String title;

    SamModel(String id, String title) {
        this.id = id;
        this.title = title;
    }

    /** The name samroi uses (model=, ROI names): "efficientsam-ti". */
    public String id() {
        return id;
    }

    public String title() {
        return title;
    }

    /** The model called id (case-insensitive), e.g. "mobilesam". */
    public static SamModel fromId(String id) {
        for (SamModel m : values()) {
            if (m.id.equals(id == null ? "" : id.trim().toLowerCase(Locale.ROOT))) return m;
        }
        throw new IllegalArgumentException("samroi has no model called '" + id + "'; choose one of: " + ids());
    }

    static String ids() {
        StringBuilder s = new StringBuilder();
        for (SamModel m : values()) s.append(s.length() == 0 ? "" : ", ").append(m.id);
        return s.toString();
    }

    /** What the Protocols editor shows. */
    @Override
    public String toString() {
        return title;
    }
}
