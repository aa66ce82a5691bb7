package icy.plugin.abstract_;

import icy.plugin.interface_.PluginImageAnalysis;

/** Mirror of Icy 2.5's PluginActionable: run() stays abstract (from Runnable). */
public abstract class PluginActionable extends Plugin implements PluginImageAnalysis, Runnable {

    @Deprecated
    @Override
    public void compute() {
        run();
    }
}
