package plugins.adufour.vars.lang;

/** Mirror of the Vars library's VarInteger. */
public class VarInteger extends VarNumber<Integer> {

    public VarInteger(String name, int defaultValue) {
        super(name, defaultValue);
    }
}
