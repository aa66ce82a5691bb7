package plugins.adufour.vars.lang;

import icy.sequence.Sequence;

/** Mirror of the Vars library's VarSequence. */
public class VarSequence extends Var<Sequence> {

    public VarSequence(String name, Sequence defaultValue) {
        super(name, defaultValue, true);
    }
}
