package org.samroi.icystubs;

/** Placeholder: compile-only mirrors of the Icy classes the plugin uses go here, in their icy.* packages. */
public final class Placeholder {
    private Placeholder() {
    }
}
