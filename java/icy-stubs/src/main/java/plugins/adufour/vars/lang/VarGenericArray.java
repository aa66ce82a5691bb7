package plugins.adufour.vars.lang;

/** Mirror of the Vars library's VarGenericArray: named in API.md only as the superclass of VarArray. */
public class VarGenericArray<T> extends Var<T> {

    VarGenericArray(String name, T defaultValue) {
        super(name, defaultValue, true);
    }
}
