package org.samroi.ij;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.samroi.core.SamException;

/**
 * The options string of a macro call, {@code run("Segment", "model=mobilesam points=10,20;30,40
 * box=[5,5,40,40] all_parts")}: {@code key=value} pairs (a value with spaces in square
 * brackets) and bare flags, the way ImageJ's recorder writes them. Keys are lower case; a key
 * the command does not know is an error (a typo must not be ignored silently).
 */
public final class MacroOptions {

    private final String text;
    private final Map<String, String> values = new LinkedHashMap<>();

    private MacroOptions(String text) {
        this.text = text;
    }

    /** Parse text (null or blank: no options). */
    public static MacroOptions parse(String text) throws SamException {
        MacroOptions options = new MacroOptions(text == null ? "" : text.trim());
        String s = options.text;
        int i = 0;
        while (i < s.length()) {
            if (Character.isWhitespace(s.charAt(i))) {
                i++;
                continue;
            }
            int keyStart = i;
            while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && s.charAt(i) != '=') i++;
            String key = s.substring(keyStart, i).toLowerCase(Locale.ROOT);
            String value = "";
            if (i < s.length() && s.charAt(i) == '=') {
                i++;
                if (i < s.length() && s.charAt(i) == '[') {
                    int end = s.indexOf(']', i);
                    if (end < 0) throw syntax(s, "the value of " + key + " opens '[' but never closes it");
                    value = s.substring(i + 1, end);
                    i = end + 1;
                } else {
                    int valueStart = i;
                    while (i < s.length() && !Character.isWhitespace(s.charAt(i))) i++;
                    value = s.substring(valueStart, i);
                }
            }
            if (key.isEmpty()) throw syntax(s, "a value without a key");
            options.values.put(key, value);
        }
        return options;
    }

    /** Fails naming the first key that is not one of known. */
    public MacroOptions requireKnown(Collection<String> known, String command) throws SamException {
        for (String key : values.keySet()) {
            if (!known.contains(key)) {
                throw new SamException("'" + key + "' is not an option of " + command + ".",
                        command + " takes: " + String.join(", ", known) + ".");
            }
        }
        return this;
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** The value of key, or fallback when absent. */
    public String get(String key, String fallback) {
        String v = values.get(key);
        return v == null ? fallback : v;
    }

    /** Whether the flag key is given (bare, or with a value other than false). */
    public boolean flag(String key) {
        String v = values.get(key);
        return v != null && !"false".equalsIgnoreCase(v.trim());
    }

    /** A number >= 0; fallback when absent. */
    public double number(String key, double fallback) throws SamException {
        String v = values.get(key);
        if (v == null) return fallback;
        try {
            double d = Double.parseDouble(v.trim());
            if (d >= 0 && !Double.isInfinite(d)) return d;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new SamException("'" + v + "' is not a valid " + key + ".", "Give " + key + "= a number of 0 or more.");
    }

    /** A whole number >= 1; fallback when absent. */
    public int position(String key, int fallback) throws SamException {
        String v = values.get(key);
        if (v == null) return fallback;
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new SamException("'" + v + "' is not a valid " + key + ".", "Give " + key + "= a whole number from 1 up.");
    }

    /** The text as given. */
    public String text() {
        return text;
    }

    /** key=value with brackets where the value needs them (for the recorder and log lines). */
    public static String pair(String key, String value) {
        return key + "=" + (value.isEmpty() || value.matches(".*[\\s\\[\\]].*") ? "[" + value + "]" : value);
    }

    private static SamException syntax(String text, String problem) {
        return new SamException("The options '" + text + "' cannot be read: " + problem + ".",
                "Write options as key=value pairs separated by spaces, with [brackets] around values that contain spaces.");
    }

    @Override
    public String toString() {
        return "MacroOptions" + values;
    }
}
