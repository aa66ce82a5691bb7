package org.samroi.core;

import java.util.Locale;

/**
 * Names of segmented objects, the same in every host and in the command line's RoiSets
 * (samroi.outputs.roi_name): the prompt number, 1-based and zero-padded to three digits, then
 * the model, e.g. "007-efficientsam-ti".
 */
public final class ObjectNames {

    private ObjectNames() {
    }

    public static String name(int promptNumber, String model) {
        if (promptNumber < 1) throw new IllegalArgumentException("prompt numbers start at 1, got " + promptNumber);
        return String.format(Locale.ROOT, "%03d-%s", promptNumber, model);
    }

    /**
     * The prompt number of a samroi name, or -1 when the name is not one of ours. ImageJ's own
     * names ("0508-0123": the ROI's position) are not: a model name starts with a letter.
     */
    public static int promptNumber(String name) {
        if (name == null) return -1;
        int dash = name.indexOf('-');
        if (dash < 3 || dash + 1 >= name.length() || !Character.isLetter(name.charAt(dash + 1))) return -1;
        for (int i = 0; i < dash; i++) {
            if (!Character.isDigit(name.charAt(i))) return -1;
        }
        try {
            return Integer.parseInt(name.substring(0, dash));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
