package org.samroi.icy;

import org.samroi.core.Prompt;
import org.samroi.icy.logic.Plane;

/** A prompt, the plane of the sequence it is for, and its name in the prompt file (or ""). */
public final class PlanePrompt {

    private final Prompt prompt;
    private final Plane plane;
    private final String name;

    public PlanePrompt(Prompt prompt, Plane plane, String name) {
        this.prompt = prompt;
        this.plane = plane;
        this.name = name == null ? "" : name;
    }

    public Prompt prompt() {
        return prompt;
    }

    public Plane plane() {
        return plane;
    }

    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return (name.isEmpty() ? "" : name + ": ") + prompt.points() + (prompt.box() == null ? "" : " " + prompt.box())
                + " on " + plane;
    }
}
