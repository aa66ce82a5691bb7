package org.samroi.core;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * A model cannot run because its weights are missing: the official weights are not installed
 * ({@link #checkpoint()} is null), or the chosen checkpoint file does not exist.
 */
public class MissingWeightsException extends SamException {

    private static final long serialVersionUID = 1L;

    private final String model;
    private final String checkpoint;

    public MissingWeightsException(String model, String checkpoint, String problem) {
        super(problem, checkpoint == null
                ? "Click Install (samroi > Install weights), run 'samroi weights install " + model
                        + "' on the command line, or choose a checkpoint file."
                : "Choose an existing checkpoint file, or clear the checkpoint to use the installed official weights.");
        this.model = model;
        this.checkpoint = checkpoint;
    }

    public String model() {
        return model;
    }

    /** The missing checkpoint file, or null when the official weights are not installed. */
    public Path checkpoint() {
        return checkpoint == null ? null : Paths.get(checkpoint);
    }
}
