package org.samroi.icystubs;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares compiled mirror classes with {@link ApiDoc}: every class, constructor, method and
 * field a plugin can link against (public or protected) must be declared in the document, with
 * the same kind, modifiers (static, abstract, final), generic signature, return or field type,
 * exceptions and constant value; enums must have exactly the document's constants, in order;
 * the superclass must be the document's and the interfaces a subset of its list.
 *
 * <p>
 * Not checked, on purpose: private and package-private members and classes (the mirrors'
 * working parts for tests; code in plugin packages cannot see them), enums' implicit values()
 * and valueOf(String), and a public no-argument constructor of a class for which the document
 * lists no constructor (Java gives such classes one). A member the document names without a
 * return type (e.g. VarList.add) matches on name and parameters and is reported as unverified.
 */
final class ApiMirrorCheck {

    private final ApiDoc doc;
    private final List<String> problems = new ArrayList<>();
    private final Set<String> unverified = new TreeSet<>();

    ApiMirrorCheck(ApiDoc doc) {
        this.doc = doc;
    }

    /** What is wrong (empty when all classes agree with the document). */
    List<String> problems() {
        return problems;
    }

    /** Members whose return type the document does not give. */
    Set<String> unverified() {
        return unverified;
    }

    /** Check a mirror class against the document's class of the same name. */
    ApiMirrorCheck check(Class<?> c) {
        return check(c, c.getCanonicalName());
    }

    /** Check a class against the document's class asName (tests check wrong classes under real names). */
    ApiMirrorCheck check(Class<?> c, String asName) {
        if (!isVisible(c)) return this;
        ApiDoc.TypeDecl t = doc.type(asName);
        if (t == null) {
            problems.add(asName + ": the class is not in API.md");
            return this;
        }
        checkDeclaration(c, t, asName);
        if (t.enumConstants != null || c.isEnum()) checkEnum(c, t, asName);
        for (Constructor<?> k : c.getDeclaredConstructors()) {
            if (!isVisible(k.getModifiers()) || k.isSynthetic()) continue;
            checkExecutable(k, t, asName);
        }
        for (Method m : c.getDeclaredMethods()) {
            if (!isVisible(m.getModifiers()) || m.isSynthetic() || m.isBridge()) continue;
            if (c.isEnum() && isEnumMethod(m)) continue;
            checkExecutable(m, t, asName);
        }
        for (Field f : c.getDeclaredFields()) {
            if (!isVisible(f.getModifiers()) || f.isSynthetic() || f.isEnumConstant()) continue;
            checkField(f, t, asName);
        }
        return this;
    }

    private static boolean isVisible(Class<?> c) {
        if (c.isAnonymousClass() || c.isLocalClass() || c.isSynthetic()) return false;
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!isVisible(k.getModifiers())) return false;
        }
        return true;
    }

    private static boolean isVisible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    // --- class -------------------------------------------------------------------------------

    private void checkDeclaration(Class<?> c, ApiDoc.TypeDecl t, String name) {
        if (t.supertypeOnly) {
            // Named only as another class's superclass: no members of its own may be visible.
            return;
        }
        if (!t.declared) return; // e.g. "`icy.file.Loader`: members": kind and supertypes not given
        String kind = c.isInterface() ? "interface" : c.isEnum() ? "enum" : "class";
        if (t.kind != null && !t.kind.equals(kind)) {
            problems.add(name + ": is a " + kind + " but API.md declares a " + t.kind);
            return;
        }
        int mod = c.getModifiers();
        if ("class".equals(kind)) {
            same(name, "abstract", t.modifiers.contains("abstract"), Modifier.isAbstract(mod));
            same(name, "final", t.modifiers.contains("final"), Modifier.isFinal(mod));
            if (c.getEnclosingClass() != null) same(name, "static", t.modifiers.contains("static"), Modifier.isStatic(mod));
        }
        if (!t.typeParameters.equals(typeParameters(c.getTypeParameters(), c))) {
            problems.add(name + ": type parameters " + typeParameters(c.getTypeParameters(), c) + ", API.md: "
                    + (t.typeParameters.isEmpty() ? "none" : t.typeParameters));
        }
        if ("class".equals(kind)) {
            String superclass = c.getGenericSuperclass() == null || c.getSuperclass() == Object.class ? null
                    : typeName(c.getGenericSuperclass(), c);
            if (superclass == null ? t.superclass != null : !superclass.equals(t.superclass)) {
                problems.add(name + ": extends " + (superclass == null ? "Object" : superclass) + ", API.md: "
                        + (t.superclass == null ? "Object" : t.superclass));
            }
        }
        for (Type i : c.getGenericInterfaces()) {
            String s = typeName(i, c);
            if (!t.interfaces.contains(s)) {
                problems.add(name + ": implements " + s + ", which API.md does not list (" + t.interfaces + ")");
            }
        }
    }

    private void same(String where, String what, boolean documented, boolean actual) {
        if (documented != actual) {
            problems.add(where + ": " + (actual ? "is " : "is not ") + what + ", API.md: " + (documented ? "" : "not ") + what);
        }
    }

    private void checkEnum(Class<?> c, ApiDoc.TypeDecl t, String name) {
        List<String> actual = new ArrayList<>();
        for (Field f : c.getDeclaredFields()) {
            if (f.isEnumConstant()) actual.add(f.getName());
        }
        if (t.enumConstants == null) {
            problems.add(name + ": API.md gives no constants for this enum");
        } else if (!t.enumConstants.equals(actual)) {
            problems.add(name + ": constants " + actual + ", API.md (in order): " + t.enumConstants);
        }
    }

    private static boolean isEnumMethod(Method m) {
        return Modifier.isStatic(m.getModifiers()) && (m.getName().equals("values") && m.getParameterCount() == 0
                || m.getName().equals("valueOf") && Arrays.equals(m.getParameterTypes(), new Class<?>[] { String.class }));
    }

    // --- members -----------------------------------------------------------------------------

    private void checkExecutable(Executable e, ApiDoc.TypeDecl t, String owner) {
        boolean constructor = e instanceof Constructor;
        String memberName = constructor ? t.simpleName() : e.getName();
        Class<?> context = e.getDeclaringClass();
        List<String> params = new ArrayList<>();
        for (Type p : e.getGenericParameterTypes()) params.add(typeName(p, context));
        String key = memberName + "(" + String.join(",", params) + ")";
        String where = owner + "." + key;
        List<ApiDoc.Member> candidates = new ArrayList<>();
        boolean anyConstructor = false;
        for (ApiDoc.Member m : t.members) {
            if (m.kind == ApiDoc.Member.Kind.CONSTRUCTOR) anyConstructor = true;
            if ((m.kind == ApiDoc.Member.Kind.CONSTRUCTOR) == constructor && m.kind != ApiDoc.Member.Kind.FIELD
                    && m.key().equals(key)) {
                candidates.add(m);
            }
        }
        // A name mentioned in passing ("`getROIs()` returns ...") is no signature: with a real one
        // in the document, only real ones count.
        boolean anyTyped = false;
        for (ApiDoc.Member m : candidates) anyTyped |= constructor || m.type != null;
        if (anyTyped) candidates.removeIf(m -> !constructor && m.type == null);
        if (candidates.isEmpty()) {
            if (constructor && params.isEmpty() && !anyConstructor && Modifier.isPublic(e.getModifiers())) return;
            problems.add(where + ": not in API.md" + similar(t, memberName));
            return;
        }
        List<String> mismatches = new ArrayList<>();
        for (ApiDoc.Member m : candidates) {
            List<String> diff = compare(e, m, t);
            if (diff.isEmpty()) {
                if (!constructor && m.type == null) unverified.add(where + " (API.md gives no return type)");
                return;
            }
            mismatches.add(String.join("; ", diff) + " [API.md: " + m + "]");
        }
        problems.add(where + ": " + String.join(" | ", mismatches));
    }

    private List<String> compare(Executable e, ApiDoc.Member m, ApiDoc.TypeDecl t) {
        List<String> diff = new ArrayList<>();
        int mod = e.getModifiers();
        boolean inInterface = e.getDeclaringClass().isInterface();
        if (Modifier.isProtected(mod) != m.modifiers.contains("protected")) diff.add("access differs");
        if (e instanceof Method) {
            Method method = (Method) e;
            if (Modifier.isStatic(mod) != m.modifiers.contains("static")) diff.add(Modifier.isStatic(mod) ? "static" : "not static");
            if (!inInterface) {
                if (Modifier.isAbstract(mod) != m.modifiers.contains("abstract")) diff.add(Modifier.isAbstract(mod) ? "abstract" : "not abstract");
                if (Modifier.isFinal(mod) != m.modifiers.contains("final")) diff.add(Modifier.isFinal(mod) ? "final" : "not final");
            }
            String returns = typeName(method.getGenericReturnType(), e.getDeclaringClass());
            if (m.type != null && !returns.equals(m.type)) diff.add("returns " + returns);
        }
        String tp = typeParameters(e.getTypeParameters(), e.getDeclaringClass());
        if (!tp.equals(m.typeParameters) && !(m.type == null && m.typeParameters.isEmpty())) diff.add("type parameters " + tp);
        Set<String> thrown = new LinkedHashSet<>();
        for (Type x : e.getGenericExceptionTypes()) thrown.add(typeName(x, e.getDeclaringClass()));
        if (!thrown.equals(new LinkedHashSet<>(m.exceptions))) diff.add("throws " + (thrown.isEmpty() ? "nothing" : thrown));
        return diff;
    }

    private void checkField(Field f, ApiDoc.TypeDecl t, String owner) {
        String where = owner + "." + f.getName();
        ApiDoc.Member found = null;
        for (ApiDoc.Member m : t.members) {
            if (m.kind == ApiDoc.Member.Kind.FIELD && m.name.equals(f.getName())) found = m;
        }
        if (found == null) {
            problems.add(where + ": field not in API.md" + similar(t, f.getName()));
            return;
        }
        int mod = f.getModifiers();
        List<String> diff = new ArrayList<>();
        String type = typeName(f.getGenericType(), f.getDeclaringClass());
        if (!type.equals(found.type)) diff.add("type " + type);
        if (Modifier.isStatic(mod) != found.modifiers.contains("static")) diff.add(Modifier.isStatic(mod) ? "static" : "not static");
        if (Modifier.isFinal(mod) != found.modifiers.contains("final")) diff.add(Modifier.isFinal(mod) ? "final" : "not final");
        if (found.value != null && Modifier.isStatic(mod) && Modifier.isFinal(mod)) {
            try {
                f.setAccessible(true);
                Object actual = f.get(null);
                if (!sameConstant(actual, found.value)) diff.add("value " + actual);
            } catch (IllegalAccessException e) {
                diff.add("value unreadable: " + e);
            }
        }
        if (!diff.isEmpty()) problems.add(where + ": " + String.join("; ", diff) + " [API.md: " + found + "]");
    }

    private static boolean sameConstant(Object actual, String literal) {
        if (literal.startsWith("\"")) return literal.substring(1, literal.length() - 1).equals(actual);
        if (actual instanceof Boolean) return actual.toString().equals(literal);
        if (!(actual instanceof Number)) return false;
        String l = literal.replaceAll("[fFdDlL]$", "");
        if (actual instanceof Float) return ((Float) actual).floatValue() == Float.parseFloat(l);
        return ((Number) actual).doubleValue() == Double.parseDouble(l);
    }

    private static String similar(ApiDoc.TypeDecl t, String name) {
        List<String> same = new ArrayList<>();
        for (ApiDoc.Member m : t.members) {
            if (m.name.equals(name)) same.add(m.toString());
        }
        return same.isEmpty() ? "" : " (API.md has: " + String.join(" | ", same) + ")";
    }

    // --- type names as the document writes them ---------------------------------------------

    /**
     * A type as the document writes it where context is declared: simple names, nested classes
     * as Outer.Inner except inside their own outer class (where the document, like Java source,
     * uses the simple name), generics without spaces: "Map<String,Object>".
     */
    static String typeName(Type type, Class<?> context) {
        if (type instanceof Class) {
            Class<?> c = (Class<?>) type;
            if (c.isArray()) return typeName(c.getComponentType(), context) + "[]";
            String name = c.getSimpleName();
            for (Class<?> e = c.getEnclosingClass(); e != null && !encloses(e, context); e = e.getEnclosingClass()) {
                name = e.getSimpleName() + "." + name;
            }
            return name;
        }
        if (type instanceof ParameterizedType) {
            ParameterizedType p = (ParameterizedType) type;
            List<String> args = new ArrayList<>();
            for (Type a : p.getActualTypeArguments()) args.add(typeName(a, context));
            return typeName(p.getRawType(), context) + "<" + String.join(",", args) + ">";
        }
        if (type instanceof WildcardType) {
            WildcardType w = (WildcardType) type;
            if (w.getLowerBounds().length > 0) return "? super " + typeName(w.getLowerBounds()[0], context);
            Type[] upper = w.getUpperBounds();
            return upper.length == 0 || upper[0] == Object.class ? "?" : "? extends " + typeName(upper[0], context);
        }
        if (type instanceof GenericArrayType) {
            return typeName(((GenericArrayType) type).getGenericComponentType(), context) + "[]";
        }
        if (type instanceof TypeVariable) return ((TypeVariable<?>) type).getName();
        throw new IllegalArgumentException("unknown type " + type);
    }

    /** Whether outer is context or one of the classes context is nested in. */
    private static boolean encloses(Class<?> outer, Class<?> context) {
        for (Class<?> k = context; k != null; k = k.getEnclosingClass()) {
            if (k == outer) return true;
        }
        return false;
    }

    static String typeParameters(TypeVariable<?>[] variables, Class<?> context) {
        if (variables.length == 0) return "";
        List<String> out = new ArrayList<>();
        for (TypeVariable<?> v : variables) {
            List<String> bounds = new ArrayList<>();
            for (Type b : v.getBounds()) {
                if (b != Object.class) bounds.add(typeName(b, context));
            }
            out.add(v.getName() + (bounds.isEmpty() ? "" : " extends " + String.join(" & ", bounds)));
        }
        return "<" + String.join(",", out) + ">";
    }

    /** Every class of the collection, checked. */
    ApiMirrorCheck checkAll(Collection<Class<?>> classes) {
        for (Class<?> c : classes) check(c);
        return this;
    }

    /** For messages: the document's view of a class. */
    static String describe(ApiDoc doc, String name) {
        ApiDoc.TypeDecl t = doc.type(name);
        if (t == null) return name + ": not in API.md";
        StringBuilder b = new StringBuilder(t + " extends " + t.superclass + " implements " + t.interfaces + "\n");
        for (ApiDoc.Member m : t.members) b.append("  ").append(m).append('\n');
        if (t.enumConstants != null) b.append("  constants ").append(t.enumConstants).append('\n');
        return b.toString();
    }

    static Map<String, ApiDoc.TypeDecl> types(ApiDoc doc) {
        return doc.types();
    }
}
