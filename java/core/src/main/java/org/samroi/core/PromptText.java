package org.samroi.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Prompts written as text, the way macros, command lines and settings carry them.
 *
 * <ul>
 * <li>Points: {@code "x1,y1;x2,y2;..."}, pixel indices (column, row), fractions allowed.</li>
 * <li>A box: {@code "x,y,width,height"}, an ImageJ-style rectangle (what makeRectangle takes),
 * which covers the pixels x..x+width-1 and y..y+height-1.</li>
 * </ul>
 *
 * Spaces around numbers are ignored; an empty text means "no points" / "no box".
 */
public final class PromptText {

    private PromptText() {
    }

    /** Thrown for text that is not a point list or a rectangle; the message quotes the bad part. */
    public static final class SyntaxException extends SamException {
        private static final long serialVersionUID = 1L;

        SyntaxException(String what, String text, String problem, String example) {
            super(what + " '" + text + "': " + problem, "Write " + what + " as " + example + ".");
        }
    }

    /** "x1,y1;x2,y2" to points with the given label; "" gives an empty list. */
    public static List<Prompt.Point> parsePoints(String text, boolean positive) throws SyntaxException {
        String trimmed = text == null ? "" : text.trim();
        if (trimmed.isEmpty()) return Collections.emptyList();
        List<Prompt.Point> points = new ArrayList<>();
        for (String pair : trimmed.split(";", -1)) {
            double[] xy = numbers(pair, 2, "points", trimmed, "x1,y1;x2,y2 (pixel columns and rows)");
            points.add(new Prompt.Point(xy[0], xy[1], positive));
        }
        return points;
    }

    /** "x,y,width,height" to a box covering those pixels; "" gives null. */
    public static Prompt.Box parseRectangle(String text) throws SyntaxException {
        String trimmed = text == null ? "" : text.trim();
        if (trimmed.isEmpty()) return null;
        String example = "x,y,width,height (like makeRectangle)";
        double[] r = numbers(trimmed, 4, "a box", trimmed, example);
        if (r[2] < 1 || r[3] < 1) {
            throw new SyntaxException("a box", trimmed, "width and height must be at least 1 pixel", example);
        }
        return new Prompt.Box(r[0], r[1], r[0] + r[2] - 1, r[1] + r[3] - 1);
    }

    /** Points back to "x1,y1;x2,y2" (for the macro recorder); integers lose their ".0". */
    public static String formatPoints(List<Prompt.Point> points) {
        StringBuilder s = new StringBuilder();
        for (Prompt.Point p : points) {
            if (s.length() > 0) s.append(';');
            s.append(number(p.x())).append(',').append(number(p.y()));
        }
        return s.toString();
    }

    /** A box back to "x,y,width,height". */
    public static String formatRectangle(Prompt.Box box) {
        return number(box.x0()) + "," + number(box.y0()) + "," + number(box.x1() - box.x0() + 1) + ","
                + number(box.y1() - box.y0() + 1);
    }

    private static double[] numbers(String part, int count, String what, String whole, String example)
            throws SyntaxException {
        String[] fields = part.split(",", -1);
        if (fields.length != count) {
            throw new SyntaxException(what, whole,
                    "'" + part.trim() + "' has " + fields.length + " number(s), expected " + count, example);
        }
        double[] values = new double[count];
        for (int i = 0; i < count; i++) {
            String field = fields[i].trim();
            try {
                values[i] = Double.parseDouble(field);
            } catch (NumberFormatException e) {
                throw new SyntaxException(what, whole, "'" + field + "' is not a number", example);
            }
            if (Double.isNaN(values[i]) || Double.isInfinite(values[i])) {
                throw new SyntaxException(what, whole, "'" + field + "' is not a finite number", example);
            }
        }
        return values;
    }

    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%s", v);
    }
}
