package org.samroi.ij;

import ij.plugin.frame.Recorder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.samroi.core.SamException;

/**
 * Options being written: for the macro recorder and for option strings built from a dialog.
 * A null value is a bare flag.
 */
final class OptionList {

    private final Map<String, String> values = new LinkedHashMap<>();

    OptionList put(String key, Object value) {
        values.put(key, String.valueOf(value));
        return this;
    }

    /** key=value unless value is blank. */
    OptionList putIfGiven(String key, String value) {
        if (value != null && !value.trim().isEmpty()) values.put(key, value.trim());
        return this;
    }

    OptionList flag(String key, boolean on) {
        if (on) values.put(key, null);
        else values.remove(key);
        return this;
    }

    /** Replace what GenericDialog recorded for the running command by these options. */
    void record() {
        Recorder.resetCommandOptions();
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (e.getValue() == null) Recorder.recordOption(e.getKey());
            else Recorder.recordOption(e.getKey(), e.getValue());
        }
    }

    MacroOptions toOptions() throws SamException {
        return MacroOptions.parse(toString());
    }

    /** The macro text, e.g. "model=mobilesam box=[1,2,3,4] all_parts". */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (s.length() > 0) s.append(' ');
            s.append(e.getValue() == null ? e.getKey() : MacroOptions.pair(e.getKey(), e.getValue()));
        }
        return s.toString();
    }
}
