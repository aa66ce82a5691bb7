package icy.gui.frame;

import java.awt.Container;

import javax.swing.JFrame;
import javax.swing.JInternalFrame;

/**
 * Mirror of Icy 2.5's IcyFrame (the members samroi uses; API.md section 11). The body is that of
 * headless Icy: nothing is shown and every method does nothing.
 */
public class IcyFrame {

    public IcyFrame(String title, boolean resizable, boolean closable, boolean maximizable, boolean iconifiable) {
    }

    public void setContentPane(Container value) {
    }

    public void pack() {
    }

    public void addToDesktopPane() {
    }

    public void center() {
    }

    public void setVisible(boolean value) {
    }

    public boolean isVisible() {
        return false;
    }

    public void toFront() {
    }

    public void close() {
    }

    public JInternalFrame getInternalFrame() {
        return null;
    }

    public JFrame getExternalFrame() {
        return null;
    }
}
