package plugins.adufour.vars.lang;

/** Mirror of the Vars library's VarArray (the members samroi uses). */
public class VarArray<T> extends VarGenericArray<T[]> {

    public VarArray(String name, Class<T[]> type, T[] defaultValue) {
        super(name, defaultValue);
    }
}
