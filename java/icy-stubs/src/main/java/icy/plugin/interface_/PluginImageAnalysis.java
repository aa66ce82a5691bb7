package icy.plugin.interface_;

/** Mirror of Icy 2.5's (deprecated) PluginImageAnalysis. */
@Deprecated
public interface PluginImageAnalysis {

    void compute();
}
