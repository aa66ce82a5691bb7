package plugins.adufour.blocks.lang;

import plugins.adufour.blocks.util.VarList;

/** Mirror of the Blocks library's Block (API.md section 17). */
public interface Block extends Runnable {

    void declareInput(VarList inputMap);

    void declareOutput(VarList outputMap);
}
