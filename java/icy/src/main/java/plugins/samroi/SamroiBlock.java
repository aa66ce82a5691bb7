package plugins.samroi;

import org.samroi.icy.BlockRun;
import org.samroi.icy.logic.SamModel;

import icy.plugin.abstract_.Plugin;
import icy.plugin.interface_.PluginBundled;
import plugins.adufour.blocks.lang.Block;
import plugins.adufour.blocks.util.VarList;
import plugins.adufour.vars.lang.VarEnum;
import plugins.adufour.vars.lang.VarROIArray;
import plugins.adufour.vars.lang.VarSequence;
import plugins.adufour.vars.lang.VarString;

/**
 * samroi as a Protocols block: a sequence, prompt ROIs (points and rectangles; none given: the
 * sequence's own) and a model in, one ROI per prompt out, named and placed on its plane as in
 * the annotator. Runs on the protocol's thread and blocks until done. The input ids below are
 * the ones saved protocols and command lines use; they do not change.
 */
public class SamroiBlock extends Plugin implements Block, PluginBundled {

    // Created with the block (not in declareInput): Protocols and headless runs need them at once.
    final VarSequence sequence = new VarSequence("Sequence", null);
    final VarROIArray prompts = new VarROIArray("Prompt ROIs (points, rectangles; empty: the sequence's)");
    final VarEnum<SamModel> model = new VarEnum<>("Model", SamModel.EFFICIENTSAM_TI);
    final VarString checkpoint = new VarString("Checkpoint file (empty: the official weights)", "");
    final VarString channels = new VarString("Channels (auto, K, or A,B,C as RGB)", "auto");
    final VarString normalize = new VarString("Normalisation", "percentile");
    final VarROIArray objects = new VarROIArray("Objects");

    @Override
    public void declareInput(VarList inputMap) {
        inputMap.add("sequence", sequence);
        inputMap.add("prompts", prompts);
        inputMap.add("model", model);
        inputMap.add("checkpoint", checkpoint);
        inputMap.add("channels", channels);
        inputMap.add("normalize", normalize);
    }

    @Override
    public void declareOutput(VarList outputMap) {
        outputMap.add("objects", objects);
    }

    @Override
    public void run() {
        objects.setValue(BlockRun.segment(sequence, prompts.getValue(), model.getValue(), checkpoint.getValue(),
                channels.getValue(), normalize.getValue()));
    }

    @Override
    public String getMainPluginClassName() {
        return SamroiAnnotator.class.getName();
    }
}
