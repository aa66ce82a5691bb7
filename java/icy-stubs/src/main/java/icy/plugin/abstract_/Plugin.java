package icy.plugin.abstract_;

/** Mirror of Icy 2.5's icy.plugin.abstract_.Plugin (compile only; see API.md section 2). */
public abstract class Plugin {

    public Plugin() {
    }
}
