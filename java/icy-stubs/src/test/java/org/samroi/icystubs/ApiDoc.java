package org.samroi.icystubs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The classes and members ../shared/icy/API.md declares, read from its notation: headings and
 * bullets that name a class (`icy.sequence.Sequence` — `public class Sequence ...`), Java
 * declarations in code blocks and in backquotes, one per segment (segments are separated by ";"
 * in code and are separate backquoted spans in prose), with the document's shorthands: a
 * segment without modifiers or return type takes them from the segment before it on the same
 * line ({@code public double getPixelSizeX(); getPixelSizeY()}), "(String)" inside a class's
 * braces is a public constructor, {@code NAME = 0} in prose is a public static final constant,
 * a backquoted list of upper-case names is an enum's constants, and a table under "(all
 * `public interface`)" lists interfaces with their supertypes and members.
 *
 * <p>
 * Members are attributed to the class whose heading, bullet or declaration came last; prose
 * that names a member in passing (`run()`) may add an entry without a return type, which
 * {@link ApiMirrorCheck} never takes as a verified signature.
 */
final class ApiDoc {

    /** A class, interface or enum of the document. */
    static final class TypeDecl {
        final String name; // canonical name, nested classes as Outer.Inner
        String kind; // "class", "interface", "enum"; null when the document does not say
        final Set<String> modifiers = new LinkedHashSet<>();
        String typeParameters = "";
        String superclass; // normalised type text, or null
        final List<String> interfaces = new ArrayList<>();
        boolean declared; // a declaration (kind and supertypes) was read
        boolean supertypeOnly = true; // known only because another class extends it
        List<String> enumConstants;
        final List<Member> members = new ArrayList<>();

        TypeDecl(String name) {
            this.name = name;
        }

        String simpleName() {
            return name.substring(name.lastIndexOf('.') + 1);
        }

        @Override
        public String toString() {
            return (kind == null ? "type" : kind) + " " + name;
        }
    }

    /** A constructor, method or field as declared. */
    static final class Member {
        enum Kind { CONSTRUCTOR, METHOD, FIELD }

        final Kind kind;
        final String name;
        final Set<String> modifiers;
        final String typeParameters;
        /** Return type of a method, type of a field; null when the document gives none. */
        final String type;
        final List<String> parameters;
        /** Declared exceptions; empty when none are given. */
        final List<String> exceptions;
        /** A field's constant value as written (literal), or null. */
        final String value;
        final String source;

        Member(Kind kind, String name, Set<String> modifiers, String typeParameters, String type,
                List<String> parameters, List<String> exceptions, String value, String source) {
            this.kind = kind;
            this.name = name;
            this.modifiers = modifiers;
            this.typeParameters = typeParameters;
            this.type = type;
            this.parameters = parameters;
            this.exceptions = exceptions;
            this.value = value;
            this.source = source;
        }

        /** Name and parameter types, e.g. "getROIs(Class<T>,boolean)"; a field's name. */
        String key() {
            return kind == Kind.FIELD ? name : name + "(" + String.join(",", parameters) + ")";
        }

        @Override
        public String toString() {
            String mods = modifiers.isEmpty() ? "" : String.join(" ", modifiers) + " ";
            String tp = typeParameters.isEmpty() ? "" : typeParameters + " ";
            String t = type == null ? "" : type + " ";
            String thr = exceptions.isEmpty() ? "" : " throws " + String.join(", ", exceptions);
            return kind == Kind.FIELD ? mods + t + name + (value == null ? "" : " = " + value)
                    : mods + tp + t + key() + thr;
        }
    }

    private static final Set<String> MODIFIERS = new LinkedHashSet<>(
            Arrays.asList("public", "protected", "private", "static", "final", "abstract", "synchronized", "default",
                    "native", "transient", "volatile"));
    private static final Set<String> PRIMITIVES = new LinkedHashSet<>(
            Arrays.asList("boolean", "byte", "char", "short", "int", "long", "float", "double", "void"));
    private static final Pattern SPAN = Pattern.compile("`([^`]+)`");
    private static final Pattern QUALIFIED_TYPE = Pattern.compile("([a-z][a-z0-9_]*\\.)+([A-Z][A-Za-z0-9_]*)(<[^`]*>)?");
    private static final Pattern PACKAGE = Pattern.compile("([a-z][a-z0-9_]*)(\\.[a-z][a-z0-9_]*)+(\\.\\*)?");
    private static final Pattern SIMPLE_TYPE_NAME = Pattern.compile("[A-Z][A-Za-z0-9_]*");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");
    private static final Pattern CONSTANT = Pattern.compile("([A-Z][A-Z0-9_]*)\\s*=\\s*(-?[0-9][0-9.]*[fFdDlL]?|\"[^\"]*\"|true|false)");
    private static final Pattern ENUM_CONSTANTS = Pattern.compile("[A-Z][A-Z0-9_]*(\\s*,\\s*[A-Z][A-Z0-9_]*)+");
    private static final Pattern TYPE_DECL = Pattern.compile(
            "((?:(?:public|protected|private|static|abstract|final)\\s+)*)(class|interface|enum)\\b\\s*(.*)", Pattern.DOTALL);
    private static final Pattern LINE_START = Pattern.compile("^\\s*(?:#+\\s*(?:\\d+\\.\\s*)?|[-*]\\s+|\\d+\\.\\s+|\\|\\s*)?");

    private final Map<String, TypeDecl> types = new LinkedHashMap<>();

    // Where the reader is.
    private String pkg;
    private TypeDecl current;
    private boolean currentFromCode; // current came from a top-level declaration in code: later ones are siblings
    private boolean inCode;
    private String defaultKind; // "(all `public interface`)"
    private final List<String> defaultSupertypes = new ArrayList<>(); // "(all `extends EventListener`)"
    private boolean interfaceTable;
    private Prefix carried; // a declaration list continued on the next line ("...,\n")

    private ApiDoc() {
    }

    static ApiDoc parse(String text) {
        ApiDoc doc = new ApiDoc();
        String[] lines = text.split("\r?\n", -1);
        for (String line : lines) doc.line(line);
        return doc;
    }

    Map<String, TypeDecl> types() {
        return Collections.unmodifiableMap(types);
    }

    TypeDecl type(String name) {
        return types.get(name);
    }

    // --- lines -------------------------------------------------------------------------------

    private void line(String raw) {
        if (raw.trim().startsWith("```")) {
            inCode = !inCode;
            carried = null;
            return;
        }
        if (inCode) {
            codeLine(raw);
            return;
        }
        String line = raw;
        if (line.trim().startsWith("#")) {
            pkg = null;
            current = null;
            currentFromCode = false;
            defaultKind = null;
            defaultSupertypes.clear();
            interfaceTable = false;
            carried = null;
        }
        if (line.trim().startsWith("|")) {
            if (interfaceTable) tableRow(line);
            return;
        }
        proseLine(line);
    }

    private void codeLine(String raw) {
        String line = stripComment(raw).trim();
        if (line.isEmpty()) return;
        Matcher decl = TYPE_DECL.matcher(stripAnnotations(line));
        if (decl.matches() && startsDeclaration(line)) {
            typeDeclaration(line, true);
            return;
        }
        if (current == null) return;
        memberList(line.replace("{", " ").replace("}", " "), current, true, false, null);
    }

    /** A declaration line starts with modifiers then class/interface/enum (not e.g. "getClass()"). */
    private static boolean startsDeclaration(String line) {
        String s = stripAnnotations(line).trim();
        for (String word : s.split("\\s+")) {
            if (word.equals("class") || word.equals("interface") || word.equals("enum")) return true;
            if (!MODIFIERS.contains(word)) return false;
        }
        return false;
    }

    private void proseLine(String line) {
        boolean heading = line.trim().startsWith("#");
        List<Matcher> spans = new ArrayList<>();
        Matcher m = SPAN.matcher(line);
        while (m.find()) spans.add((Matcher) SPAN.matcher(line).region(m.start(), m.end()));
        int lineStart = lineStartEnd(line);
        Prefix prefix = carried;
        carried = null;
        // A class named in the middle of a line is described there only; the context before it comes back.
        TypeDecl savedClass = null;
        String savedPackage = null;
        boolean savedFromCode = false;
        boolean restore = false;
        for (int k = 0; k < spans.size(); k++) {
            Matcher sm = spans.get(k);
            sm.lookingAt();
            String span = sm.group(1).trim();
            String before = line.substring(0, sm.start());
            String after = line.substring(sm.end());
            boolean atStart = k == 0 && sm.start() == lineStart;
            if (PACKAGE.matcher(span).matches()
                    && (atStart || heading || before.endsWith("package ") || before.endsWith(" in "))) {
                enterPackage(span, line);
                continue;
            }
            Matcher q = QUALIFIED_TYPE.matcher(span);
            boolean introduces = after.startsWith(":") || after.startsWith(" \u2014") || after.startsWith(" (")
                    || after.trim().isEmpty() || after.startsWith(" [");
            if (q.matches() && (atStart || introduces)) {
                if (!atStart && !restore) {
                    restore = true;
                    savedClass = current;
                    savedPackage = pkg;
                    savedFromCode = currentFromCode;
                }
                enterClass(span.replaceAll("<.*$", ""));
                continue;
            }
            String[] fqnExtends = span.split("\\s+extends\\s+");
            if (atStart && fqnExtends.length == 2 && QUALIFIED_TYPE.matcher(fqnExtends[0]).matches()) {
                enterClass(fqnExtends[0]);
                current.superclass = normalizeType(fqnExtends[1]);
                continue;
            }
            if (atStart && SIMPLE_TYPE_NAME.matcher(span).matches() && after.startsWith(":") && pkg != null) {
                enterClass(pkg + "." + span);
                applyDefaults(current);
                continue;
            }
            if (startsDeclaration(span)) {
                typeDeclaration(span, false);
                continue;
            }
            if (current == null) continue;
            Matcher c = CONSTANT.matcher(span);
            if (c.matches()) {
                Set<String> mods = new LinkedHashSet<>(Arrays.asList("public", "static", "final"));
                current.members.add(new Member(Member.Kind.FIELD, c.group(1), mods, "", literalType(c.group(2)),
                        Collections.<String>emptyList(), Collections.<String>emptyList(), c.group(2), span));
                continue;
            }
            if (ENUM_CONSTANTS.matcher(span).matches()) {
                current.enumConstants = splitTrim(span, ",");
                continue;
            }
            prefix = memberList(span, current, false, false, prefix);
            if (prefix != null && k == spans.size() - 1 && after.trim().endsWith(",")) {
                carried = prefix; // the list goes on on the next line
            }
        }
        if (restore) {
            current = savedClass;
            pkg = savedPackage;
            currentFromCode = savedFromCode;
        }
    }

    private static int lineStartEnd(String line) {
        Matcher m = LINE_START.matcher(line);
        return m.lookingAt() ? m.end() : 0;
    }

    /** A package context; "(all `public interface`)", "(all `extends X`)" and "interfaces" on the line set defaults. */
    private void enterPackage(String span, String line) {
        pkg = span.endsWith(".*") ? span.substring(0, span.length() - 2) : span;
        current = null;
        currentFromCode = false;
        Matcher rest = SPAN.matcher(line);
        while (rest.find()) {
            String s = rest.group(1).trim();
            if (s.equals("public interface")) defaultKind = "interface";
            if (s.startsWith("extends ")) defaultSupertypes.addAll(splitTypes(s.substring("extends ".length())));
        }
        if (line.contains("interfaces")) defaultKind = "interface";
        if ("interface".equals(defaultKind)) interfaceTable = true;
    }

    private void enterClass(String name) {
        current = declared(name);
        pkg = packageOf(name);
        currentFromCode = false;
    }

    /** The package part of a canonical name (lower-case segments). */
    private static String packageOf(String name) {
        StringBuilder p = new StringBuilder();
        for (String part : name.split("\\.")) {
            if (!part.isEmpty() && Character.isUpperCase(part.charAt(0))) break;
            if (p.length() > 0) p.append('.');
            p.append(part);
        }
        return p.toString();
    }

    private void applyDefaults(TypeDecl t) {
        if (defaultKind != null && t.kind == null) {
            t.kind = defaultKind;
            t.declared = true;
            t.modifiers.add("public");
            t.interfaces.addAll(defaultSupertypes);
        }
    }

    private void tableRow(String line) {
        String[] cells = line.split("\\|", -1);
        if (cells.length < 4) return;
        List<String> names = new ArrayList<>();
        Matcher m = SPAN.matcher(cells[1]);
        while (m.find()) {
            if (SIMPLE_TYPE_NAME.matcher(m.group(1).trim()).matches()) names.add(m.group(1).trim());
        }
        if (names.isEmpty() || pkg == null) return;
        List<String> supers = new ArrayList<>();
        Matcher s = SPAN.matcher(cells[2]);
        while (s.find()) supers.addAll(splitTypes(s.group(1)));
        for (String name : names) {
            TypeDecl t = declared(pkg + "." + name);
            applyDefaults(t);
            t.interfaces.addAll(supers);
            Matcher mm = SPAN.matcher(cells[3]);
            while (mm.find()) memberList(mm.group(1).trim(), t, false, false, null);
        }
    }

    // --- declarations ------------------------------------------------------------------------

    /** "public abstract class X<T> extends Y implements A, B { members }" (members optional). */
    private void typeDeclaration(String text, boolean code) {
        String s = stripAnnotations(text).trim();
        String body = null;
        int brace = s.indexOf('{');
        if (brace >= 0) {
            int close = s.lastIndexOf('}');
            body = s.substring(brace + 1, close > brace ? close : s.length());
            s = s.substring(0, brace).trim();
        }
        Matcher m = TYPE_DECL.matcher(s);
        if (!m.matches()) return;
        Set<String> mods = new LinkedHashSet<>(splitTrim(m.group(1).trim(), "\\s+"));
        mods.remove("");
        String kind = m.group(2);
        String rest = m.group(3).trim();
        if (rest.isEmpty()) { // "`public class`" after a class name
            if (current != null) {
                current.kind = kind;
                current.modifiers.addAll(mods);
                current.declared = true;
                current.supertypeOnly = false;
            }
            return;
        }
        String[] nameAndTail = splitNameAndTail(rest);
        String nameWithParams = nameAndTail[0];
        String tail = nameAndTail[1];
        String simple = nameWithParams.replaceAll("<.*$", "");
        String typeParams = nameWithParams.length() > simple.length() ? normalizeType(nameWithParams.substring(simple.length())) : "";
        TypeDecl t;
        boolean nested = false;
        if (simple.contains(".")) {
            t = declared(simple);
        } else if (current != null && current.simpleName().equals(simple)) {
            t = current;
        } else if (current != null && !currentFromCode) {
            t = declared(current.name + "." + simple);
            nested = true;
        } else {
            t = declared((pkg == null ? "" : pkg + ".") + simple);
        }
        t.kind = kind;
        t.modifiers.addAll(mods);
        t.typeParameters = typeParams;
        t.declared = true;
        t.supertypeOnly = false;
        String supers = tail;
        Matcher ext = Pattern.compile("extends\\s+(.*?)(\\s+implements\\s+(.*))?$").matcher(supers.trim());
        Matcher impl = Pattern.compile("implements\\s+(.*)$").matcher(supers.trim());
        if (ext.find()) {
            List<String> ex = splitTypes(ext.group(1));
            if ("interface".equals(kind)) {
                t.interfaces.addAll(ex);
            } else if (!ex.isEmpty()) {
                t.superclass = ex.get(0);
                mentionSupertype(t, ex.get(0));
            }
            if (ext.group(3) != null) t.interfaces.addAll(splitTypes(ext.group(3)));
        } else if (impl.find()) {
            t.interfaces.addAll(splitTypes(impl.group(1)));
        }
        if (body != null) {
            String trimmed = body.trim();
            if ("enum".equals(kind) && (ENUM_CONSTANTS.matcher(trimmed).matches() || SIMPLE_TYPE_NAME.matcher(trimmed).matches())) {
                t.enumConstants = splitTrim(trimmed, ",");
            } else {
                memberList(body, t, true, true, null);
            }
        }
        if (!nested && t != current) {
            current = t;
            currentFromCode = code; // later declarations in the same code block are its siblings
            pkg = packageOf(t.name);
        }
    }

    /** Record a superclass named only by its simple name as a class of the same package. */
    private void mentionSupertype(TypeDecl sub, String superType) {
        String raw = superType.replaceAll("<.*$", "");
        if (raw.contains(".")) return;
        String name = packageOf(sub.name) + "." + raw;
        if (!types.containsKey(name)) {
            TypeDecl t = new TypeDecl(name);
            types.put(name, t);
        }
    }

    private TypeDecl declared(String name) {
        TypeDecl t = types.get(name);
        if (t == null) {
            t = new TypeDecl(name);
            types.put(name, t);
        }
        t.supertypeOnly = false;
        return t;
    }

    private static String[] splitNameAndTail(String rest) {
        int depth = 0;
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c == '<') depth++;
            if (c == '>') depth--;
            if (Character.isWhitespace(c) && depth == 0) return new String[] { rest.substring(0, i), rest.substring(i) };
        }
        return new String[] { rest, "" };
    }

    // --- members -----------------------------------------------------------------------------

    /** The modifiers, type parameters and return type a later segment of the same list inherits. */
    private static final class Prefix {
        final Set<String> modifiers;
        final String typeParameters;
        final String type;

        Prefix(Set<String> modifiers, String typeParameters, String type) {
            this.modifiers = modifiers;
            this.typeParameters = typeParameters;
            this.type = type;
        }
    }

    /** Segments separated by ";" (outside quotes and parentheses); returns the last prefix. */
    private Prefix memberList(String text, TypeDecl owner, boolean code, boolean braces, Prefix prefix) {
        for (String segment : splitTopLevel(text, ';')) {
            Prefix p = member(segment, owner, code, braces, prefix);
            if (p != null) prefix = p;
        }
        return prefix;
    }

    private Prefix member(String segmentText, TypeDecl owner, boolean code, boolean braces, Prefix prefix) {
        String s = stripAnnotations(segmentText.replace("…", " ").replace("...", "... ").trim()).trim();
        s = s.replaceAll("\\.\\.\\.\\s+", "... ").trim();
        if (s.isEmpty()) return null;
        int paren = s.indexOf('(');
        if (paren < 0) return field(s, owner, code);
        int close = matching(s, paren);
        if (close < 0) return null;
        String head = s.substring(0, paren).trim();
        String params = s.substring(paren + 1, close).trim();
        String tail = s.substring(close + 1).trim();
        List<String> exceptions = new ArrayList<>();
        if (!tail.isEmpty()) {
            if (!tail.startsWith("throws ")) return null;
            exceptions.addAll(splitTypes(tail.substring("throws ".length())));
            for (String e : exceptions) {
                if (!SIMPLE_TYPE_NAME.matcher(e).matches()) return null;
            }
        }
        List<String> tokens = tokens(head);
        Set<String> mods = new LinkedHashSet<>();
        int i = 0;
        while (i < tokens.size() && MODIFIERS.contains(tokens.get(i))) mods.add(tokens.get(i++));
        String typeParams = "";
        if (i < tokens.size() && tokens.get(i).startsWith("<")) typeParams = normalizeType(tokens.get(i++));
        List<String> rest = tokens.subList(i, tokens.size());
        String name;
        String returnType = null;
        if (rest.isEmpty()) {
            if (!braces || !head.isEmpty()) return null;
            name = owner.simpleName(); // "(String)" inside a class's braces: a constructor
        } else if (rest.size() == 1) {
            name = rest.get(0);
        } else if (rest.size() == 2) {
            returnType = normalizeType(rest.get(0));
            name = rest.get(1);
            if (!isType(returnType)) return null;
        } else {
            return null;
        }
        if (!IDENTIFIER.matcher(name).matches()) return null;
        List<String> paramTypes = new ArrayList<>();
        if (!params.isEmpty()) {
            for (String p : splitTopLevel(params, ',')) {
                String type = parameterType(p.trim());
                if (type == null) return null;
                paramTypes.add(type);
            }
        }
        boolean constructor = name.equals(owner.simpleName()) && returnType == null;
        boolean inherits = mods.isEmpty() && prefix != null;
        if (inherits) mods = new LinkedHashSet<>(prefix.modifiers);
        if (!constructor && returnType == null && prefix != null && inherits) {
            returnType = prefix.type;
            if (typeParams.isEmpty()) typeParams = prefix.typeParameters;
        }
        if (mods.isEmpty() || !(mods.contains("public") || mods.contains("protected") || mods.contains("private"))) {
            mods.add("public"); // the document lists the public API; interface members are public
        }
        Member.Kind kind = constructor ? Member.Kind.CONSTRUCTOR : Member.Kind.METHOD;
        owner.members.add(new Member(kind, name, mods, typeParams, constructor ? null : returnType, paramTypes,
                exceptions, null, segmentText.trim()));
        return constructor ? new Prefix(mods, "", null) : new Prefix(mods, typeParams, returnType);
    }

    /** "[modifiers] Type a [= v], b [= v]" (in prose only with a modifier). */
    private Prefix field(String s, TypeDecl owner, boolean code) {
        List<String> parts = splitTopLevel(s, ',');
        List<String> first = tokens(parts.get(0).split("=", 2)[0]);
        Set<String> mods = new LinkedHashSet<>();
        int i = 0;
        while (i < first.size() && MODIFIERS.contains(first.get(i))) mods.add(first.get(i++));
        if (!code && mods.isEmpty()) return null;
        if (first.size() - i != 2) return null;
        String type = normalizeType(first.get(i));
        if (!isType(type)) return null;
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int k = 0; k < parts.size(); k++) {
            String[] nv = parts.get(k).split("=", 2);
            String name = k == 0 ? first.get(i + 1) : nv[0].trim();
            if (!IDENTIFIER.matcher(name).matches()) return null;
            names.add(name);
            values.add(nv.length == 2 ? nv[1].trim() : null);
        }
        if (!(mods.contains("public") || mods.contains("protected") || mods.contains("private"))) mods.add("public");
        for (int k = 0; k < names.size(); k++) {
            owner.members.add(new Member(Member.Kind.FIELD, names.get(k), mods, "", type,
                    Collections.<String>emptyList(), Collections.<String>emptyList(), values.get(k), s));
        }
        return null;
    }

    /** The type of "Type name", "Type", "final Type name" or "Type... name" (as Type[]); null if not a parameter. */
    private static String parameterType(String p) {
        List<String> t = tokens(p);
        if (!t.isEmpty() && t.get(0).equals("final")) t = t.subList(1, t.size());
        if (t.isEmpty() || t.size() > 2) return null;
        String type = t.get(0);
        if (type.endsWith("...")) type = type.substring(0, type.length() - 3) + "[]";
        type = normalizeType(type);
        if (!isType(type)) return null;
        if (t.size() == 2 && !IDENTIFIER.matcher(t.get(1)).matches()) return null;
        return type;
    }

    /** A plausible type: a primitive, or names starting upper-case (generics, arrays, Outer.Inner allowed). */
    private static boolean isType(String type) {
        String raw = type.replaceAll("<.*>", "").replace("[]", "");
        if (PRIMITIVES.contains(raw)) return true;
        for (String part : raw.split("\\.")) {
            if (!SIMPLE_TYPE_NAME.matcher(part).matches()) return false;
        }
        return true;
    }

    // --- text helpers ------------------------------------------------------------------------

    /** Whitespace-separated tokens, keeping generic arguments ("Map<String, Object>") and arrays in one token. */
    static List<String> tokens(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder t = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '<') depth++;
            if (c == '>') depth--;
            if (Character.isWhitespace(c) && depth == 0) {
                if (t.length() > 0) {
                    out.add(t.toString());
                    t.setLength(0);
                }
                continue;
            }
            t.append(c);
        }
        if (t.length() > 0) out.add(t.toString());
        // Join a type and its array brackets written apart ("byte []").
        List<String> joined = new ArrayList<>();
        for (String tok : out) {
            if (tok.startsWith("[") && !joined.isEmpty()) joined.set(joined.size() - 1, joined.get(joined.size() - 1) + tok);
            else joined.add(tok);
        }
        return joined;
    }

    /** Split at a separator outside quotes, parentheses, braces and angle brackets. */
    static List<String> splitTopLevel(String s, char separator) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') quoted = !quoted;
            if (!quoted) {
                if (c == '(' || c == '<' || c == '{') depth++;
                if (c == ')' || c == '>' || c == '}') depth--;
                if (c == separator && depth == 0) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    continue;
                }
            }
            cur.append(c);
        }
        out.add(cur.toString());
        return out;
    }

    static List<String> splitTypes(String s) {
        List<String> out = new ArrayList<>();
        for (String t : splitTopLevel(s, ',')) {
            String n = normalizeType(t.trim());
            if (!n.isEmpty()) out.add(n);
        }
        return out;
    }

    private static List<String> splitTrim(String s, String regex) {
        List<String> out = new ArrayList<>();
        for (String p : s.split(regex)) out.add(p.trim());
        return out;
    }

    /** Type text without spaces except in wildcards: "Map<String,Object>", "List<? extends ROI>". */
    static String normalizeType(String type) {
        String t = type.trim().replaceAll("\\s+", " ");
        t = t.replaceAll("\\s*([<>,\\[\\]])\\s*", "$1");
        t = t.replace("?extends", "? extends").replace("?super", "? super");
        t = t.replaceAll("\\?\\s*extends\\s*", "? extends ").replaceAll("\\?\\s*super\\s*", "? super ");
        t = t.replaceAll("(\\w)\\s*&\\s*(\\w)", "$1 & $2");
        return t.replaceAll("(\\w) extends (\\w)", "$1 extends $2");
    }

    private static int matching(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            if (s.charAt(i) == '(') depth++;
            if (s.charAt(i) == ')' && --depth == 0) return i;
        }
        return -1;
    }

    private static String stripComment(String line) {
        boolean quoted = false;
        for (int i = 0; i + 1 < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') quoted = !quoted;
            if (!quoted && c == '/' && line.charAt(i + 1) == '/') return line.substring(0, i);
        }
        return line;
    }

    private static String stripAnnotations(String s) {
        return s.replaceAll("@[A-Za-z_]+(\\([^)]*\\))?\\s*", "");
    }

    private static String literalType(String literal) {
        if (literal.startsWith("\"")) return "String";
        if (literal.equals("true") || literal.equals("false")) return "boolean";
        String l = literal.toLowerCase(Locale.ROOT);
        if (l.endsWith("f")) return "float";
        if (l.endsWith("l")) return "long";
        if (l.endsWith("d") || l.contains(".")) return "double";
        return "int";
    }
}
