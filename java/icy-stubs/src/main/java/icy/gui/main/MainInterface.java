package icy.gui.main;

import icy.sequence.Sequence;

/** Mirror of Icy 2.5's MainInterface (the members samroi uses; API.md section 5). */
public interface MainInterface {

    boolean isHeadLess();

    void addSequence(Sequence sequence);

    Sequence getActiveSequence();

    String getSelectedTool();

    void addActiveSequenceListener(ActiveSequenceListener l);

    void removeActiveSequenceListener(ActiveSequenceListener l);
}
