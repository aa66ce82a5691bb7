package org.samroi.core;

/** A model name samroi does not know. */
public class UnknownModelException extends SamException {

    private static final long serialVersionUID = 1L;

    private final String model;

    public UnknownModelException(String model, String problem) {
        super(problem, "Choose one of the models samroi lists (efficientsam-ti, efficientsam-s, mobilesam).");
        this.model = model;
    }

    /** The name that was asked for. */
    public String model() {
        return model;
    }
}
