package plugins.adufour.vars.lang;

/** Mirror of the Vars library's VarEnum. */
public class VarEnum<T extends Enum<T>> extends Var<T> {

    public VarEnum(String name, T defaultValue) {
        super(name, defaultValue);
    }
}
