package icy.plugin.interface_;

/** Mirror of Icy 2.5's (deprecated) marker PluginStartAsThread. */
@Deprecated
public interface PluginStartAsThread {
}
