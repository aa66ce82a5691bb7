package plugins.adufour.vars.lang;

/** Mirror of the Vars library's VarString. */
public class VarString extends Var<String> {

    public VarString(String name, String defaultValue) {
        super(name, defaultValue);
    }
}
