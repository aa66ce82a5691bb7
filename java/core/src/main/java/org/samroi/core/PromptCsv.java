package org.samroi.core;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Prompts from a CSV file, the format of the command line's {@code samroi segment --prompts}
 * (samroi.outputs.read_prompts_csv), read the same way and with the same error messages.
 *
 * <p>
 * Comma separated, UTF-8, lines starting with "#" and blank lines ignored. The first row is a
 * header naming the columns, in any order, case insensitive: {@code x, y} (a click, pixel
 * indices), {@code label} (1 object, the default, or 0 background), {@code x0, y0, x1, y1} (a
 * box, inclusive extreme pixel indices), {@code kind} ("point" or "box", checked),
 * {@code prompt} (rows with the same value form one prompt named after it; without it every
 * row is its own prompt, named 001, 002, ...), {@code c, z, t} (1-based stack position, 0 or
 * empty = not set). Each row fills either the point or the box columns.
 */
public final class PromptCsv {

    private static final List<String> COLUMNS = Arrays.asList("prompt", "kind", "x", "y", "label", "x0", "y0", "x1",
            "y1", "c", "z", "t");
    /** The numbers Python's float() reads (plus inf/nan, refused later as not finite). */
    private static final Pattern NUMBER = Pattern.compile(
            "[+-]?((\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?|inf|infinity|nan)", Pattern.CASE_INSENSITIVE);
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");

    private PromptCsv() {
    }

    /** One prompt of the file: its name, the prompt, and its stack position if the file gives one. */
    public static final class Entry {
        private final String name;
        private final Prompt prompt;
        private final int[] position;
        private final int line;

        Entry(String name, Prompt prompt, int[] position, int line) {
            this.name = name;
            this.prompt = prompt;
            this.position = position;
            this.line = line;
        }

        /** The value of the prompt column, or the prompt's number (001, 002, ...) without one. */
        public String name() {
            return name;
        }

        public Prompt prompt() {
            return prompt;
        }

        /** {c, z, t}, 1-based, 0 = not set; null when the file gives no position for this prompt. */
        public int[] position() {
            return position == null ? null : position.clone();
        }

        /** The line of the file where the prompt first appears. */
        public int line() {
            return line;
        }

        @Override
        public String toString() {
            return name + ": " + prompt.points() + (prompt.box() == null ? "" : " " + prompt.box())
                    + (position == null ? "" : " at c,z,t " + Arrays.toString(position));
        }
    }

    /** A prompt file that cannot be read; the message names the file and line. */
    public static final class FormatException extends SamException {
        private static final long serialVersionUID = 1L;

        FormatException(String problem) {
            super(problem, "Fix the prompt file: a header row such as x,y,label or x0,y0,x1,y1 (optional columns "
                    + "prompt, kind, c, z, t), then one point or box per row.");
        }
    }

    /** The prompts of a file, in order of first appearance. */
    public static List<Entry> read(Path file) throws FormatException {
        if (!Files.isRegularFile(file)) throw new FormatException("prompt file not found: " + file);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new FormatException("cannot read " + file + ": it is not UTF-8 text");
        } catch (IOException e) {
            throw new FormatException("cannot read " + file + ": " + e.getMessage());
        }
        return parse(text, file.getFileName().toString());
    }

    /** The prompts of CSV text; where names the file in messages. */
    public static List<Entry> parse(String text, String where) throws FormatException {
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        List<Integer> numbers = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        String[] lines = text.split("\r\n|\r|\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.trim().isEmpty() || line.replaceFirst("^\\s+", "").startsWith("#")) continue;
            numbers.add(i + 1);
            rows.add(fields(line));
        }
        if (rows.isEmpty()) {
            throw new FormatException(where + ": no header and no prompts (expected a header such as x,y,label)");
        }
        int headerLine = numbers.get(0);
        List<String> header = new ArrayList<>();
        for (String h : rows.get(0)) header.add(h.trim().toLowerCase(Locale.ROOT));
        List<String> unknown = new ArrayList<>();
        for (String h : header) {
            if (!COLUMNS.contains(h)) unknown.add("'" + h + "'");
        }
        if (!unknown.isEmpty()) {
            throw new FormatException(where + " line " + headerLine + ": unknown column(s) " + String.join(", ", unknown)
                    + "; the first row must be a header with columns from: " + String.join(", ", COLUMNS));
        }
        if (new java.util.HashSet<>(header).size() != header.size()) {
            throw new FormatException(where + " line " + headerLine + ": a column is named twice in the header");
        }
        boolean hasPoint = header.containsAll(Arrays.asList("x", "y"));
        boolean hasBox = header.containsAll(Arrays.asList("x0", "y0", "x1", "y1"));
        if (!hasPoint && !hasBox) {
            throw new FormatException(where + " line " + headerLine
                    + ": the header needs columns x,y (points) and/or x0,y0,x1,y1 (boxes)");
        }
        checkTogether(header, Arrays.asList("x", "y"), hasPoint, where, headerLine);
        checkTogether(header, Arrays.asList("x0", "y0", "x1", "y1"), hasBox, where, headerLine);
        Map<String, Integer> col = new HashMap<>();
        for (int k = 0; k < header.size(); k++) col.put(header.get(k), k);
        boolean hasPosition = col.containsKey("c") || col.containsKey("z") || col.containsKey("t");

        Map<String, Group> groups = new LinkedHashMap<>();
        for (int r = 1; r < rows.size(); r++) {
            Row row = new Row(rows.get(r), header, col, where + " line " + numbers.get(r));
            row.addTo(groups, hasPosition, numbers.get(r));
        }
        if (groups.isEmpty()) throw new FormatException(where + ": the header is there but no prompt rows follow");
        List<Entry> entries = new ArrayList<>();
        for (Group g : groups.values()) entries.add(g.entry());
        return Collections.unmodifiableList(entries);
    }

    private static void checkTogether(List<String> header, List<String> columns, boolean complete, String where,
            int line) throws FormatException {
        if (complete) return;
        for (String c : columns) {
            if (header.contains(c)) {
                throw new FormatException(where + " line " + line + ": columns " + String.join(",", columns)
                        + " must come together");
            }
        }
    }

    /** The fields of one CSV line (Python csv's default dialect: commas, double quotes, "" inside quotes). */
    static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean atStart = true;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    field.append(ch);
                }
            } else if (ch == ',') {
                out.add(field.toString());
                field.setLength(0);
                atStart = true;
                continue;
            } else if (ch == '"' && atStart) {
                quoted = true;
            } else {
                field.append(ch);
            }
            atStart = false;
        }
        out.add(field.toString());
        return out;
    }

    /** The prompt a group of rows builds up. */
    private static final class Group {
        final String name;
        final int line;
        final int[] position;
        final List<Prompt.Point> points = new ArrayList<>();
        Prompt.Box box;

        Group(String name, int line, int[] position) {
            this.name = name;
            this.line = line;
            this.position = position;
        }

        Entry entry() {
            return new Entry(name, Prompt.of(points, box), position, line);
        }
    }

    /** One data row, padded to the header's width. */
    private static final class Row {
        final List<String> cells;
        final Map<String, Integer> col;
        final String where;

        Row(List<String> values, List<String> header, Map<String, Integer> col, String where) throws FormatException {
            if (values.size() > header.size()) {
                throw new FormatException(where + ": " + values.size() + " values but the header has " + header.size()
                        + " columns");
            }
            this.cells = new ArrayList<>(values);
            while (cells.size() < header.size()) cells.add("");
            this.col = col;
            this.where = where;
        }

        String cell(String name) {
            Integer k = col.get(name);
            return k == null ? "" : cells.get(k).trim();
        }

        double number(String name) throws FormatException {
            String value = cell(name);
            if (!NUMBER.matcher(value).matches()) {
                throw new FormatException(where + ": " + name + " is not a number: " + quote(value));
            }
            double v = Double.parseDouble(value.replaceFirst("(?i)inf(inity)?$", "Infinity").replaceFirst("(?i)nan$", "NaN"));
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                throw new FormatException(where + ": " + name + " must be finite, got " + quote(value));
            }
            return v;
        }

        int integer(String name, int fallback) throws FormatException {
            String value = cell(name);
            if (value.isEmpty()) return fallback;
            if (!INTEGER.matcher(value).matches()) {
                throw new FormatException(where + ": " + name + " must be a whole number, got " + quote(value));
            }
            try {
                return Integer.parseInt(value.startsWith("+") ? value.substring(1) : value);
            } catch (NumberFormatException e) {
                throw new FormatException(where + ": " + name + " must be a whole number, got " + quote(value));
            }
        }

        void addTo(Map<String, Group> groups, boolean hasPosition, int lineNumber) throws FormatException {
            boolean isPoint = !cell("x").isEmpty() || !cell("y").isEmpty();
            boolean isBox = !cell("x0").isEmpty() || !cell("y0").isEmpty() || !cell("x1").isEmpty() || !cell("y1").isEmpty();
            if (isPoint && isBox) {
                throw new FormatException(where + ": a row is either a point (x,y) or a box (x0,y0,x1,y1), not both");
            }
            if (!isPoint && !isBox) {
                throw new FormatException(where + ": neither a point (x,y) nor a box (x0,y0,x1,y1) is given");
            }
            String kind = cell("kind").toLowerCase(Locale.ROOT);
            if (!kind.isEmpty() && !kind.equals("point") && !kind.equals("box")) {
                throw new FormatException(where + ": kind must be 'point' or 'box', got " + quote(kind));
            }
            String filled = isPoint ? "point" : "box";
            if (!kind.isEmpty() && !kind.equals(filled)) {
                throw new FormatException(where + ": kind is " + quote(kind) + " but the row fills the " + filled + " columns");
            }
            if (!cell("label").isEmpty() && !isPoint) {
                throw new FormatException(where + ": label belongs to a point, but the row is a box");
            }
            int[] position = null;
            if (hasPosition) {
                int[] czt = { integer("c", 0), integer("z", 0), integer("t", 0) };
                if (Math.min(czt[0], Math.min(czt[1], czt[2])) < 0) {
                    throw new FormatException(where + ": c, z and t are 1-based positions (0 or empty = not set)");
                }
                position = czt[0] != 0 || czt[1] != 0 || czt[2] != 0 ? czt : null;
            }
            String key = cell("prompt");
            if (key.isEmpty()) key = "\0row" + lineNumber;
            Group group = groups.get(key);
            if (group == null) {
                String name = key.startsWith("\0") ? String.format(Locale.ROOT, "%03d", groups.size() + 1) : key;
                group = new Group(name, lineNumber, position);
                groups.put(key, group);
            } else if (!Arrays.equals(group.position, position)) {
                throw new FormatException(where + ": prompt " + quote(group.name) + " has a different c,z,t than on line "
                        + group.line);
            }
            if (isPoint) {
                double x = number("x");
                double y = number("y");
                int label = integer("label", 1);
                if (label != 0 && label != 1) {
                    throw new FormatException(where + ": label must be 1 (object) or 0 (background), got " + label);
                }
                group.points.add(new Prompt.Point(x, y, label == 1));
            } else {
                double x0 = number("x0");
                double y0 = number("y0");
                double x1 = number("x1");
                double y1 = number("y1");
                if (x1 < x0 || y1 < y0) {
                    throw new FormatException(where + ": box corners must satisfy x0 <= x1 and y0 <= y1 (inclusive pixel "
                            + "indices), got (" + Prompt.num(x0) + ", " + Prompt.num(y0) + ", " + Prompt.num(x1) + ", "
                            + Prompt.num(y1) + ")");
                }
                if (group.box != null) {
                    throw new FormatException(where + ": prompt " + quote(group.name) + " already has a box; one box per prompt");
                }
                group.box = new Prompt.Box(x0, y0, x1, y1);
            }
        }
    }

    /** Python's repr of a string, as the Python messages show values. */
    private static String quote(String s) {
        return s.contains("'") && !s.contains("\"") ? "\"" + s + "\"" : "'" + s.replace("'", "\\'") + "'";
    }
}
