package org.samroi.ij.annotator;

import java.awt.Color;
import java.awt.Component;
import java.awt.Dimension;
import java.awt.Graphics;

/**
 * A thin progress bar for an AWT window (AWT has none): a fraction filled from the left, or,
 * when the amount of work is unknown, a block that moves at every update. Event thread only.
 */
final class ProgressStrip extends Component {

    private static final long serialVersionUID = 1L;
    private static final Color TRACK = new Color(0xdddddd);
    private static final Color BAR = new Color(0x3478c6);

    /** In [0, 1]; negative: unknown; NaN: hidden. */
    private double fraction = Double.NaN;
    private int tick;

    /** Shows fraction of the work done, or a moving block when fraction is negative (unknown). */
    void show(double fraction) {
        this.fraction = fraction;
        tick++;
        repaint();
    }

    void hideBar() {
        fraction = Double.NaN;
        repaint();
    }

    @Override
    public Dimension getPreferredSize() {
        return new Dimension(160, 10);
    }

    @Override
    public void paint(Graphics g) {
        if (Double.isNaN(fraction)) return;
        int w = getWidth() - 1;
        int h = getHeight() - 1;
        g.setColor(TRACK);
        g.fillRect(0, 0, w, h);
        g.setColor(BAR);
        if (fraction >= 0) {
            g.fillRect(0, 0, (int) Math.round(w * Math.min(1, fraction)), h);
        } else {
            int block = Math.max(8, w / 5);
            int span = Math.max(1, w - block);
            int x = (tick * 7) % (2 * span);
            g.fillRect(x <= span ? x : 2 * span - x, 0, block, h);
        }
        g.setColor(Color.GRAY);
        g.drawRect(0, 0, w, h);
    }
}
