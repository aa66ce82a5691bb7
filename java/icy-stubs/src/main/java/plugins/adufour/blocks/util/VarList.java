package plugins.adufour.blocks.util;

import java.util.LinkedHashMap;
import java.util.Map;

import plugins.adufour.vars.lang.Var;

/**
 * Mirror of the Blocks library's VarList (API.md section 17: add(String uid, Var var); its
 * return type is not verified there, void is assumed).
 */
public class VarList {

    private final Map<String, Var<?>> vars = new LinkedHashMap<>();

    /** How tests make one (Protocols makes them in Icy; not part of the mirrored API). */
    VarList() {
    }

    public void add(String uid, Var<?> var) {
        if (vars.containsKey(uid)) throw new IllegalArgumentException("two variables with the id " + uid);
        vars.put(uid, var);
    }

    /** What was added, for tests (not part of the mirrored API). */
    Map<String, Var<?>> added() {
        return vars;
    }
}
