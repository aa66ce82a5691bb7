package icy.plugin.interface_;

/** Mirror of Icy 2.5's PluginBundled: an extra plugin class living in another plugin's jar. */
public interface PluginBundled {

    String getMainPluginClassName();
}
