package org.samroi.icy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.samroi.core.ImageOptions;
import org.samroi.core.Prompt;
import org.samroi.core.SamException;
import org.samroi.core.SegmentOptions;
import org.samroi.core.SegmentedObject;
import org.samroi.icy.logic.ChannelChoice;
import org.samroi.icy.logic.Plane;
import org.samroi.icy.logic.SegmentService;

import icy.sequence.Sequence;

/** Many prompts on a sequence (batch, Protocols): one worker call per plane, results in prompt order. */
final class SequenceSegmenter {

    /** The object of prompt number (1-based, the order given). */
    static final class Result {
        final int number;
        final PlanePrompt prompt;
        final SegmentedObject object;

        Result(int number, PlanePrompt prompt, SegmentedObject object) {
            this.number = number;
            this.prompt = prompt;
            this.object = object;
        }
    }

    private final SegmentService service;

    SequenceSegmenter(SegmentService service) {
        this.service = service;
    }

    /** Blocking; not on the event thread. */
    List<Result> segment(Sequence sequence, List<PlanePrompt> prompts, ChannelChoice channels, ImageOptions image,
            SegmentOptions options) throws SamException {
        // Every prompt is checked first, numbered as given, before any image is encoded.
        for (int i = 0; i < prompts.size(); i++) {
            prompts.get(i).prompt().checkInside(i, sequence.getWidth(), sequence.getHeight());
        }
        Map<Plane, List<Integer>> byPlane = new LinkedHashMap<>();
        for (int i = 0; i < prompts.size(); i++) {
            byPlane.computeIfAbsent(prompts.get(i).plane(), p -> new ArrayList<>()).add(i);
        }
        Result[] results = new Result[prompts.size()];
        for (Map.Entry<Plane, List<Integer>> e : byPlane.entrySet()) {
            List<Prompt> list = new ArrayList<>();
            for (int i : e.getValue()) list.add(prompts.get(i).prompt());
            List<SegmentedObject> objects = service.segment(IcyImages.request(sequence, e.getKey(), 0, channels, image),
                    list, options);
            for (int k = 0; k < objects.size(); k++) {
                int i = e.getValue().get(k);
                results[i] = new Result(i + 1, prompts.get(i), objects.get(k));
            }
        }
        List<Result> out = new ArrayList<>();
        for (Result r : results) out.add(r);
        return out;
    }
}
