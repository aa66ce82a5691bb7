package org.samroi.core;

/**
 * Base class of the errors samroi reports on purpose. The message says what went wrong in words
 * a biologist understands, then what to do next; {@link #problem()} and {@link #nextStep()} give
 * the two parts separately for dialogs.
 */
public class SamException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String problem;
    private final String nextStep;

    public SamException(String problem, String nextStep) {
        this(problem, nextStep, null);
    }

    public SamException(String problem, String nextStep, Throwable cause) {
        super(compose(problem, nextStep), cause);
        this.problem = problem;
        this.nextStep = nextStep;
    }

    /** What went wrong. */
    public String problem() {
        return problem;
    }

    /** What the user can do about it (may be empty). */
    public String nextStep() {
        return nextStep == null ? "" : nextStep;
    }

    private static String compose(String problem, String nextStep) {
        if (nextStep == null || nextStep.isEmpty()) return problem;
        return problem + "\nWhat to do: " + nextStep;
    }
}
