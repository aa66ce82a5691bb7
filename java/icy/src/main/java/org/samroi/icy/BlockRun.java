package org.samroi.icy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.samroi.core.ImageOptions;
import org.samroi.core.ObjectNames;
import org.samroi.core.SamException;
import org.samroi.core.SegmentOptions;
import org.samroi.icy.logic.ChannelChoice;
import org.samroi.icy.logic.Plane;
import org.samroi.icy.logic.RuntimeCheck;
import org.samroi.icy.logic.SamModel;
import org.samroi.icy.logic.SamroiRuntime;

import icy.roi.ROI;
import icy.sequence.Sequence;
import plugins.adufour.vars.lang.Var;
import plugins.adufour.vars.util.VarException;

/** What the Protocols block does; bad inputs and failures are VarExceptions, as Protocols expects. */
public final class BlockRun {

    private BlockRun() {
    }

    /** The objects of the prompts (empty: the sequence's point and rectangle ROIs), ROIs in prompt order. */
    public static ROI[] segment(Var<Sequence> sequenceVar, ROI[] promptRois, SamModel model, String checkpoint,
            String channels, String normalize) {
        Sequence sequence = sequenceVar.getValue();
        if (sequence == null) throw new VarException(sequenceVar, "samroi: no sequence was given to segment.");
        try {
            String problems = RuntimeCheck.problems();
            if (problems != null) throw new SamException(problems, "");
            List<? extends ROI> rois = promptRois == null || promptRois.length == 0 ? IcyPrompts.promptRois(sequence)
                    : Arrays.asList(promptRois);
            List<PlanePrompt> prompts = IcyPrompts.fromRois(rois, sequence, Plane.of(0, 0));
            if (prompts.isEmpty()) {
                throw new SamException("No point or rectangle ROI to use as a prompt.",
                        "Connect prompt ROIs, or draw points or rectangles on the sequence.");
            }
            ImageOptions image = ImageOptions.defaults().withModel(model.id()).withNormalize(normalize.trim());
            if (!checkpoint.trim().isEmpty()) {
                Path file = Paths.get(checkpoint.trim());
                if (!Files.isRegularFile(file)) throw new SamException("The checkpoint file " + file + " does not exist.", "Choose an existing file, or leave it empty for the official weights.");
                image = image.withCheckpoint(file);
            }
            ChannelChoice channel;
            try {
                channel = ChannelChoice.parse(channels);
            } catch (IllegalArgumentException e) {
                throw new SamException("Channels: " + e.getMessage() + ".", "Write auto, one channel (e.g. 1) or up to three (e.g. 2,1,0).");
            }
            List<SequenceSegmenter.Result> results = new SequenceSegmenter(SamroiRuntime.get().service()).segment(sequence,
                    prompts, channel, image, SegmentOptions.defaults().withKeepHoles(false));
            List<ROI> out = new ArrayList<>();
            for (SequenceSegmenter.Result r : results) {
                if (r.object.isEmpty()) continue;
                out.add(IcyObjects.toRoi(r.object, ObjectNames.name(r.number, model.id()), r.prompt.plane(), model.id()));
            }
            return out.toArray(new ROI[0]);
        } catch (SamException e) {
            throw new VarException(sequenceVar, "samroi: " + e.getMessage());
        }
    }
}
