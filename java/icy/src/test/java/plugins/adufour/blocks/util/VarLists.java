package plugins.adufour.blocks.util;

import java.util.Map;

import plugins.adufour.vars.lang.Var;

/** For tests: a VarList as Protocols would pass it, and what a block declared in it. */
public final class VarLists {

    private VarLists() {
    }

    public static VarList create() {
        return new VarList();
    }

    public static Map<String, Var<?>> declared(VarList list) {
        return list.added();
    }
}
