package icy.plugin.interface_;

/** Mirror of Icy 2.5's PluginThreaded: in the GUI, run() is called on a new thread. */
@SuppressWarnings("deprecation")
public interface PluginThreaded extends Runnable, PluginStartAsThread {
}
