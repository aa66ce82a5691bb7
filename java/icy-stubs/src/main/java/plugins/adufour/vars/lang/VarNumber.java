package plugins.adufour.vars.lang;

/** Mirror of the Vars library's VarNumber: named in API.md only as the superclass of VarInteger. */
public class VarNumber<N extends Number> extends Var<N> {

    VarNumber(String name, N defaultValue) {
        super(name, defaultValue);
    }
}
