package org.samroi.icy;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import org.samroi.core.ImageOptions;
import org.samroi.core.ObjectNames;
import org.samroi.core.ProgressEvent;
import org.samroi.core.ProgressListener;
import org.samroi.core.PromptCsv;
import org.samroi.core.SamException;
import org.samroi.core.env.PythonEnvironment;
import org.samroi.icy.logic.BatchOptions;
import org.samroi.icy.logic.RuntimeCheck;
import org.samroi.icy.logic.SamroiRuntime;
import org.samroi.icy.logic.SegmentService;

import icy.file.Loader;
import icy.main.Icy;
import icy.roi.ROI;
import icy.roi.ROI2D;
import icy.sequence.Sequence;

/**
 * The batch command (plugins.samroi.SamroiBatch): load the image, read the prompts, segment,
 * write the ROI file and the label image. Blocking, for Icy's headless mode.
 */
public final class BatchRun {

    private final PrintStream out;
    private final PrintStream err;

    public BatchRun(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Run with Icy's plugin arguments; true when every output was written. */
    public boolean run(String... args) {
        try {
            BatchOptions options = BatchOptions.parse(args);
            String problems = RuntimeCheck.problems();
            if (problems != null) throw new SamException(problems, "");
            execute(options);
            return true;
        } catch (BatchOptions.HelpRequested h) {
            out.println(h.problem());
            return true;
        } catch (SamException e) {
            err.println("samroi: error: " + e.problem());
            if (!e.nextStep().isEmpty()) err.println("samroi: " + e.nextStep());
            return false;
        } catch (IOException e) {
            err.println("samroi: error: " + e.getMessage());
            return false;
        }
    }

    private void execute(BatchOptions options) throws SamException, IOException {
        Sequence sequence;
        Path imageFile = options.image();
        if (imageFile != null) {
            out.println("samroi: opening " + imageFile);
            sequence = Loader.loadSequence(imageFile.toString(), 0, false);
            if (sequence == null) {
                throw new SamException("Icy could not open " + imageFile + ".", "Check that Icy opens the file, or convert it to TIFF.");
            }
        } else {
            sequence = Icy.getMainInterface().getActiveSequence();
            if (sequence == null) {
                throw new SamException("No image: neither image= nor an image before -x was given.",
                        "Add image=/path/to/image to the command.");
            }
            imageFile = sequence.getFilename() == null ? null : Paths.get(sequence.getFilename());
        }
        Path roisFile = options.rois(imageFile);
        Path labelsFile = options.labels(imageFile);

        List<PlanePrompt> prompts = new ArrayList<>();
        for (org.samroi.core.Prompt p : options.commandLinePrompts()) prompts.add(new PlanePrompt(p, options.plane(), ""));
        if (options.prompts() != null) {
            prompts.addAll(IcyPrompts.fromCsv(PromptCsv.read(options.prompts()), sequence, options.plane()));
        } else if (prompts.isEmpty()) {
            prompts = IcyPrompts.fromRois(IcyPrompts.promptRois(sequence), sequence, options.plane());
            if (prompts.isEmpty()) {
                throw new SamException("The image has no point or rectangle ROI to use as a prompt, and no prompts were given.",
                        "Give prompts=FILE.csv (or points=, rectangle=), or save point or rectangle ROIs with the image in Icy.");
            }
        }
        ImageOptions image = options.imageOptions();
        SegmentService service = service(options.python());
        ProgressListener progress = new Progress(out);
        service.session().addListener(progress);
        List<SequenceSegmenter.Result> results;
        try {
            out.println("samroi: " + prompts.size() + " prompt" + (prompts.size() == 1 ? "" : "s") + " on "
                    + sequence.getName() + ", model " + options.model().id());
            results = new SequenceSegmenter(service).segment(sequence, prompts, options.channel(), image,
                    options.segmentOptions());
        } finally {
            service.session().removeListener(progress);
        }

        List<ROI> rois = new ArrayList<>();
        int empty = 0;
        for (SequenceSegmenter.Result r : results) {
            if (r.object.isEmpty()) {
                empty++;
                err.println("samroi: warning: prompt " + r.number + " (" + r.prompt + "): the mask is empty; no ROI for it");
                continue;
            }
            ROI2D roi = IcyObjects.toRoi(r.object, ObjectNames.name(r.number, options.model().id()), r.prompt.plane(),
                    options.model().id());
            if (!r.prompt.name().isEmpty()) roi.setProperty("prompt", r.prompt.name());
            rois.add(roi);
        }
        BatchOutputs.writeRois(roisFile, rois);
        out.println("samroi: " + rois.size() + " ROI" + (rois.size() == 1 ? "" : "s") + " -> " + roisFile);
        if (labelsFile != null) {
            BatchOutputs.writeLabels(labelsFile, results, sequence.getWidth(), sequence.getHeight(), sequence.getSizeZ(),
                    sequence.getSizeT());
            out.println("samroi: label image -> " + labelsFile);
        }
        if (!Icy.getMainInterface().isHeadLess()) {
            for (ROI roi : rois) sequence.addROI(roi);
        }
        if (empty > 0) out.println("samroi: " + empty + " prompt(s) found nothing");
    }

    private static SegmentService service(Path python) throws SamException {
        if (python == null) return SamroiRuntime.get().service();
        return SamroiRuntime.get().service(PythonEnvironment.existing(python));
    }

    /** Progress lines on the console, each new message once. */
    private static final class Progress implements ProgressListener {
        private final PrintStream out;
        private String last = "";

        Progress(PrintStream out) {
            this.out = out;
        }

        @Override
        public void onEvent(ProgressEvent event) {
            if (event.kind() == ProgressEvent.Kind.LOG || event.message().isEmpty() || event.message().equals(last)) return;
            last = event.message();
            out.println("samroi: " + last);
        }
    }
}
