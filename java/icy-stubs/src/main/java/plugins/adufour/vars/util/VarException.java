package plugins.adufour.vars.util;

import plugins.adufour.vars.lang.Var;

/** Mirror of the Vars library's VarException: how a block reports a bad input (unchecked). */
public class VarException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public VarException(Var<?> source, String message) {
        super(message);
    }
}
