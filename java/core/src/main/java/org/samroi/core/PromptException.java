package org.samroi.core;

/** A prompt samroi cannot use: outside the image, an empty box, too many points. */
public class PromptException extends SamException {

    private static final long serialVersionUID = 1L;

    private final int promptIndex;
    private final transient Prompt prompt;

    public PromptException(int promptIndex, Prompt prompt, String problem) {
        super(problem, "Click or draw inside the image (and draw boxes with a width and a height), then try again.");
        this.promptIndex = promptIndex;
        this.prompt = prompt;
    }

    /** The position of the bad prompt in the request, 0-based (-1 when unknown). */
    public int promptIndex() {
        return promptIndex;
    }

    /** The bad prompt, or null when not known on the Java side. */
    public Prompt prompt() {
        return prompt;
    }
}
